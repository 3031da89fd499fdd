/// How a ``KafkaProducer`` talks to the cluster. Every property maps to a librdkafka
/// property (named in its documentation); ``properties`` passes any other one through.
///
/// The defaults are for guaranteed delivery: idempotent, `acks=all`, LZ4, and no local
/// message timeout, so librdkafka keeps retrying through a broker outage instead of failing
/// messages.
public struct KafkaProducerConfiguration: Sendable {
    /// The bootstrap brokers, `host:port` each (`bootstrap.servers`). No default.
    public var bootstrapServers: [String]
    /// The client id brokers log (`client.id`). Default `tapedeck`.
    public var clientID: String = "tapedeck"
    /// Exactly-once, in-order delivery per partition (`enable.idempotence`). Default true.
    public var idempotent: Bool = true
    /// Wait for all in-sync replicas (`acks=all`) rather than the leader alone (`acks=1`).
    /// Default true.
    public var acknowledgeAllReplicas: Bool = true
    /// Batch compression (`compression.type`). Default ``KafkaCompression/lz4``.
    public var compression: KafkaCompression = .lz4
    /// The largest request and message, in bytes (`message.max.bytes`). Default 1 MiB, above
    /// Tapedeck's 900 KiB flow chunks plus headers.
    public var messageMaxBytes: Int = 1_048_576
    /// How long librdkafka may try to deliver a message before failing it (`message.timeout.ms`);
    /// nil means forever (`0`). Default nil: an outage delays messages, it never fails them.
    public var messageTimeout: Duration? = nil
    /// How long to wait for more messages before sending a batch (`linger.ms`). Default 5 ms.
    public var linger: Duration = .milliseconds(5)
    /// The most messages waiting in the local queue (`queue.buffering.max.messages`); when it is
    /// full, ``KafkaProducer/produce(topic:key:value:headers:id:)`` waits. Default 100,000.
    public var maxQueuedMessages: Int = 100_000
    /// The most bytes waiting in the local queue, in KiB (`queue.buffering.max.kbytes`).
    /// Default 1,048,576 (1 GiB).
    public var maxQueuedKilobytes: Int = 1_048_576
    /// Any librdkafka property, verbatim, like kcat's `-X key=value` (SASL, TLS, batching…).
    /// Applied after everything above, so it overrides it. Default empty.
    public var properties: [String: String] = [:]

    /// Creates a configuration for the given bootstrap brokers.
    public init(bootstrapServers: [String]) {
        self.bootstrapServers = bootstrapServers
    }

    /// The librdkafka properties, in the order they are set.
    var librdkafkaProperties: [(String, String)] {
        var list: [(String, String)] = [
            ("bootstrap.servers", bootstrapServers.joined(separator: ",")),
            ("client.id", clientID),
            ("enable.idempotence", idempotent ? "true" : "false"),
            ("acks", acknowledgeAllReplicas ? "all" : "1"),
            ("compression.type", compression.rawValue),
            ("message.max.bytes", String(messageMaxBytes)),
            ("message.timeout.ms", String(messageTimeout.map(\.milliseconds) ?? 0)),
            ("linger.ms", String(linger.milliseconds)),
            ("queue.buffering.max.messages", String(maxQueuedMessages)),
            ("queue.buffering.max.kbytes", String(maxQueuedKilobytes)),
        ]
        list += properties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return list
    }
}
