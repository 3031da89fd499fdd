/// How a ``KafkaConsumer`` joins its group and where it starts. Every property maps to a
/// librdkafka property (named in its documentation); ``properties`` passes any other one through.
///
/// Offsets are committed only by ``KafkaConsumer/commit(_:)`` (`enable.auto.commit=false`):
/// what was committed has been handled.
public struct KafkaConsumerConfiguration: Sendable {
    /// The bootstrap brokers, `host:port` each (`bootstrap.servers`). No default.
    public var bootstrapServers: [String]
    /// The consumer group (`group.id`). No default.
    public var groupID: String
    /// The client id brokers log (`client.id`). Default `tapedeck`.
    public var clientID: String = "tapedeck"
    /// Where each assigned partition starts. Default ``KafkaStartPosition/committedElseBeginning``.
    public var startPosition: KafkaStartPosition = .committedElseBeginning
    /// How long the group waits for a silent member before reassigning its partitions
    /// (`session.timeout.ms`). Default 45 s.
    public var sessionTimeout: Duration = .seconds(45)
    /// The largest message the consumer expects, in bytes; fetch sizes follow it
    /// (`max.partition.fetch.bytes`). Default 1 MiB, like the producer's `message.max.bytes`.
    public var maxMessageBytes: Int = 1_048_576
    /// Whether ``KafkaConsumer/pollEvent(timeout:)`` reports reaching the end of a partition
    /// (``KafkaConsumerEvent/partitionEnd(_:)``; `enable.partition.eof`). Default `false`.
    public var reportsPartitionEnd = false
    /// Any librdkafka property, verbatim, like kcat's `-X key=value` (SASL, TLS, fetch sizes…).
    /// Applied after everything above, so it overrides it. Default empty.
    public var properties: [String: String] = [:]

    /// Creates a configuration for the given bootstrap brokers and group.
    public init(bootstrapServers: [String], groupID: String) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
    }

    /// The librdkafka properties, in the order they are set.
    var librdkafkaProperties: [(String, String)] {
        var list: [(String, String)] = [
            ("bootstrap.servers", bootstrapServers.joined(separator: ",")),
            ("group.id", groupID),
            ("client.id", clientID),
            ("enable.auto.commit", "false"),
            ("enable.partition.eof", reportsPartitionEnd ? "true" : "false"),
            ("auto.offset.reset", startPosition.offsetReset),
            ("session.timeout.ms", String(sessionTimeout.milliseconds)),
            ("max.partition.fetch.bytes", String(maxMessageBytes)),
        ]
        list += properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return list
    }
}
