/// The codec the producer compresses message batches with (`compression.type`).
public enum KafkaCompression: String, Sendable, CaseIterable {
    /// No compression.
    case none
    /// gzip: small output, slow.
    case gzip
    /// Snappy.
    case snappy
    /// LZ4: fast, and what Tapedeck uses by default (pcap bytes compress modestly; speed matters).
    case lz4
    /// Zstandard.
    case zstd
}
