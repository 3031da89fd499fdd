/// One captured packet as it travels through ingestion and queries: its capture metadata and a
/// borrowed view of its bytes.
///
/// The bytes are not owned: they are valid only while the buffer they point into (a libpcap
/// buffer, a ring frame, a decompressed block) is, which lets the per-packet path avoid copies.
public struct PacketRecord: @unchecked Sendable {
    /// Capture time.
    public var timestamp: Timestamp
    /// Length of the packet on the wire; may exceed `bytes.count` when the capture was truncated.
    public var originalLength: UInt32
    /// The link-layer type of `bytes`.
    public var linkType: LinkType
    /// The captured bytes, starting with the link-layer header.
    public var bytes: UnsafeRawBufferPointer

    /// Creates a record over borrowed bytes.
    @inlinable
    public init(timestamp: Timestamp, originalLength: UInt32, linkType: LinkType, bytes: UnsafeRawBufferPointer) {
        self.timestamp = timestamp
        self.originalLength = originalLength
        self.linkType = linkType
        self.bytes = bytes
    }

    /// Number of captured bytes.
    @inlinable
    public var capturedLength: UInt32 { UInt32(bytes.count) }
}
