import TapedeckAlerts
import TapedeckKafka

/// What an ``EvidenceConsumer`` reads, carves and writes.
public struct EvidenceConfiguration: Sendable {
    /// The store the evidence is carved from. No default.
    public var store: String
    /// The evidence directory. No default.
    public var evidenceDirectory: String
    /// The consumer group and brokers of the alerts topic. No default.
    public var consumer: KafkaConsumerConfiguration
    /// The topic of Suricata EVE JSON records. Default ``KafkaTopics/alerts``.
    public var alertsTopic = KafkaTopics.alerts
    /// Granularity and padding of each alert's query. Default: the flow, 60 s on each side.
    public var query = AlertQuery()
    /// How long after capture a live recorder makes packets queryable, in nanoseconds: a window
    /// is complete this long after its end even when no later packet arrived. Default 1 s.
    public var flushLatency = WindowReadiness.defaultFlushLatency
    /// Where to publish a notification (the sidecar) per evidence written; nil for none
    /// (the default).
    public var notificationProducer: KafkaProducerConfiguration?
    /// The notification topic. Default ``KafkaTopics/evidence``.
    public var notificationTopic = KafkaTopics.evidence
    /// Delete evidence whose sidecar was written longer ago than this, in nanoseconds; nil keeps
    /// it forever (the default).
    public var maxAge: Int64?
    /// Most alerts waiting for their windows at once; the consumer stops reading while this
    /// many wait. Default 100,000.
    public var maxPending = 100_000
    /// Largest pcap of one alert, in bytes of packet records; larger results are cut there
    /// (and logged). Default 1 GiB.
    public var maxEvidenceBytes = 1 << 30

    /// A configuration with the defaults above.
    public init(store: String, evidenceDirectory: String, consumer: KafkaConsumerConfiguration) {
        self.store = store
        self.evidenceDirectory = evidenceDirectory
        self.consumer = consumer
    }
}
