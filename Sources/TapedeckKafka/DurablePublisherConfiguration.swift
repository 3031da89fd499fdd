/// How a ``DurablePublisher`` publishes, where it keeps its cursor, and how much it holds.
public struct DurablePublisherConfiguration: Sendable {
    /// The Kafka producer (brokers, `-X` properties; idempotent, `acks=all`, LZ4, no message
    /// timeout by default).
    public var producer: KafkaProducerConfiguration
    /// The topic every unit goes to. No default (flows use ``KafkaTopics/flows``).
    public var topic: String
    /// The cursor file. No default; the daemon keeps it in the store directory.
    public var cursorPath: String
    /// The longest time between a cursor move and its write to disk. Default 200 ms: a crash
    /// republishes at most that much more than necessary.
    public var cursorInterval: Duration = .milliseconds(200)
    /// The most units held (published, not yet behind the cursor); ``DurablePublisher/publish(_:)``
    /// waits beyond it. Default 100,000, librdkafka's own queue limit: small units need that
    /// many in flight to keep a broker busy (``maxRetainedBytes`` bounds the memory).
    public var maxRetainedUnits: Int = 100_000
    /// The most bytes held; ``DurablePublisher/publish(_:)`` waits beyond it. Default 32 MiB:
    /// enough in flight for a local broker at full speed (a larger window measured no faster,
    /// only touched more memory), and what an outage holds in memory.
    public var maxRetainedBytes: Int = 32 << 20
    /// How long to wait after a delivery failure before sending everything after the cursor
    /// again (or after a fatal error, before replacing the producer). Default 1 s.
    public var retryBackoff: Duration = .seconds(1)

    /// Creates a configuration.
    public init(producer: KafkaProducerConfiguration, topic: String, cursorPath: String) {
        self.producer = producer
        self.topic = topic
        self.cursorPath = cursorPath
    }
}
