/// The default names of Tapedeck's Kafka topics (each can be configured).
public enum KafkaTopics {
    /// One message per flow chunk: key flow id, value a pcap, headers ``KafkaHeaders``.
    public static let flows = "tapedeck.flows"
    /// Optional: reassembled TCP payload per direction.
    public static let streams = "tapedeck.streams"
    /// Suricata EVE JSON alerts that Tapedeck consumes to carve evidence.
    public static let alerts = "tapedeck.alerts"
    /// One JSON notification per evidence pcap written.
    public static let evidence = "tapedeck.evidence"
}
