/// Writes a pcapng file (little-endian, one section) to a ``ByteSink``: the Section Header Block
/// on creation, an Interface Description Block for each distinct link type in order of first
/// appearance (interface IDs 0, 1, …), and an Enhanced Packet Block per record.
///
/// Every interface carries `if_tsresol` (9 for nanoseconds, 6 for microseconds). Output
/// collects in an internal buffer and reaches the sink when the buffer fills and on ``flush()``;
/// call `flush()` when done. After an error from the sink the writer should be discarded.
///
/// Timestamps follow ``TimestampPrecision``'s conversion rules (floor; clamped at 1970).
public final class PcapngWriter<Sink: ByteSink> {
    /// The timestamp resolution of every interface.
    public let precision: TimestampPrecision
    /// The snap length of every interface; longer records are cut to it.
    public let snapLength: UInt32
    /// The link types described so far; a link type's index is its interface ID.
    public private(set) var interfaces: [LinkType] = []
    /// Number of packet records written (buffered or flushed).
    public private(set) var packetsWritten = 0
    private let output: BufferedOutput<Sink>
    private var lastLinkType: LinkType?
    private var lastInterfaceID: UInt32 = 0

    /// Creates a writer and buffers the Section Header Block.
    /// - Parameters:
    ///   - sink: Where the file's bytes go.
    ///   - precision: Nanosecond (the default) or microsecond times.
    ///   - snapLength: Written in each interface block; records with more captured bytes are cut.
    ///   - bufferCapacity: Bytes collected before they are written to the sink (default 64 KiB).
    public init(sink: Sink, precision: TimestampPrecision = .nanoseconds, snapLength: UInt32 = 262_144,
                bufferCapacity: Int = 64 * 1024) {
        self.precision = precision
        self.snapLength = snapLength
        output = BufferedOutput(sink: sink, capacity: bufferCapacity)
        let block = output.reserveFileHeader(28)
        block.storeLittleEndian(UInt32(0x0A0D_0D0A), at: 0)
        block.storeLittleEndian(UInt32(28), at: 4)
        block.storeLittleEndian(UInt32(0x1A2B_3C4D), at: 8)  // byte-order magic
        block.storeLittleEndian(UInt16(1), at: 12)  // major version
        block.storeLittleEndian(UInt16(0), at: 14)  // minor version
        block.storeLittleEndian(UInt64.max, at: 16)  // section length: unspecified
        block.storeLittleEndian(UInt32(28), at: 24)
        output.commit(28)
    }

    /// The sink; it holds everything written up to the last flush.
    public var sink: Sink { output.sink }

    /// Bytes of the file produced so far, blocks of every kind included, flushed or buffered.
    public var bytesWritten: Int { output.byteCount }

    /// Appends one record as an Enhanced Packet Block, preceded by an Interface Description
    /// Block if its link type is new. The captured bytes are cut to ``snapLength``; the original
    /// length written is at least the captured length.
    /// - Throws: The sink's error when the buffer is flushed.
    public func write(_ record: PacketRecord) throws {
        let interfaceID = try interfaceID(for: record.linkType)
        let capturedLength = min(record.bytes.count, Int(snapLength))
        let padding = (4 &- capturedLength & 3) & 3
        let blockLength = UInt32(32 &+ capturedLength &+ padding)
        let time = precision.pcapngTime(record.timestamp)
        let block = try output.reserve(28)
        block.storeLittleEndian(UInt32(6), at: 0)
        block.storeLittleEndian(blockLength, at: 4)
        block.storeLittleEndian(interfaceID, at: 8)
        block.storeLittleEndian(UInt32(truncatingIfNeeded: time >> 32), at: 12)
        block.storeLittleEndian(UInt32(truncatingIfNeeded: time), at: 16)
        block.storeLittleEndian(UInt32(capturedLength), at: 20)
        block.storeLittleEndian(max(record.originalLength, UInt32(capturedLength)), at: 24)
        output.commit(28)
        try output.append(UnsafeRawBufferPointer(rebasing: record.bytes.prefix(capturedLength)))
        try output.appendPadding(padding)
        try output.reserve(4).storeLittleEndian(blockLength, at: 0)
        output.commit(4)
        packetsWritten &+= 1
    }

    /// Writes everything buffered to the sink.
    public func flush() throws {
        try output.flush()
    }

    /// The interface ID of `linkType`, writing its Interface Description Block the first time.
    @inline(__always)
    private func interfaceID(for linkType: LinkType) throws -> UInt32 {
        if linkType == lastLinkType { return lastInterfaceID }
        let id: UInt32
        if let index = interfaces.firstIndex(of: linkType) {
            id = UInt32(index)
        } else {
            try writeInterfaceDescription(linkType)
            id = UInt32(interfaces.count)
            interfaces.append(linkType)
        }
        lastLinkType = linkType
        lastInterfaceID = id
        return id
    }

    /// An Interface Description Block: link type, snap length, `if_tsresol`, end of options.
    private func writeInterfaceDescription(_ linkType: LinkType) throws {
        let block = try output.reserve(32)
        block.storeLittleEndian(UInt32(1), at: 0)
        block.storeLittleEndian(UInt32(32), at: 4)
        block.storeLittleEndian(UInt16(truncatingIfNeeded: linkType.rawValue), at: 8)
        block.storeLittleEndian(UInt16(0), at: 10)  // reserved
        block.storeLittleEndian(snapLength, at: 12)
        block.storeLittleEndian(UInt16(9), at: 16)  // option if_tsresol
        block.storeLittleEndian(UInt16(1), at: 18)  // option length
        block.storeLittleEndian(UInt32(precision.pcapngResolution), at: 20)  // value and 3 padding bytes
        block.storeLittleEndian(UInt32(0), at: 24)  // opt_endofopt
        block.storeLittleEndian(UInt32(32), at: 28)
        output.commit(32)
    }
}
