import TapedeckKafka

/// What a ``KafkaReplaySource`` reads and when it commits. Every property documents its default.
public struct KafkaReplayConfiguration: Sendable {
    /// The brokers, the consumer group that commits what was sent, where each partition starts
    /// (``TapedeckKafka/KafkaConsumerConfiguration/startPosition``) and any librdkafka property.
    /// ``KafkaReplaySource`` turns on ``TapedeckKafka/KafkaConsumerConfiguration/reportsPartitionEnd``
    /// itself. No default.
    public var consumer: KafkaConsumerConfiguration
    /// The topic of flow chunks (`tapedeck.flows`, see `api/asyncapi.yaml`). No default.
    public var topic: String
    /// Whether to wait for new messages at the end of the topic, until stopped (`--follow`);
    /// otherwise the replay ends once every assigned partition has been read up to the end it had
    /// when the source started reading it (like `kcat -e`). Default `false`.
    public var follow = false
    /// The shortest time between two offset commits: ``KafkaReplaySource/packetsSent(_:)`` commits
    /// what is acknowledged when this long passed since the last commit, and
    /// ``KafkaReplaySource/close()`` commits the rest. A process killed in between resends what
    /// it sent in this time. Default 0.5 s.
    public var commitInterval: Duration = .milliseconds(500)
    /// The longest a consumer poll blocks before the source looks at the stop handle and the end
    /// of the topic again. Default 0.1 s.
    public var pollTimeout: Duration = .milliseconds(100)
    /// How long to wait for a partition's leader to answer a watermark query (the end of the
    /// partition, and whether the topic exists at all). Default 10 s.
    public var brokerTimeout: Duration = .seconds(10)

    /// Reads `topic` with `consumer`, to the end of the topic, committing every 0.5 s.
    public init(consumer: KafkaConsumerConfiguration, topic: String) {
        self.consumer = consumer
        self.topic = topic
    }
}
