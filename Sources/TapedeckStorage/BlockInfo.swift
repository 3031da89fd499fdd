import TapedeckCore

/// Where a block is in its data file and what it holds; one entry of a segment's block table.
public struct BlockInfo: Equatable, Sendable {
    /// Byte offset of the block header in the data file.
    public var offset: Int64
    /// Header plus stored payload, in bytes.
    public var totalLength: UInt32
    /// Packets in the block.
    public var packetCount: UInt32
    /// Earliest and latest packet time in the block.
    public var earliest: Timestamp
    public var latest: Timestamp
    /// Link type of every packet in the block.
    public var linkType: LinkType
    /// Payload length before compression.
    public var payloadLength: UInt32

    /// Bytes one entry takes in the index file's block table.
    static let encodedWidth = 40

    func encode(into writer: inout LittleEndianWriter) {
        writer.append(offset)
        writer.append(totalLength)
        writer.append(packetCount)
        writer.append(earliest.nanoseconds)
        writer.append(latest.nanoseconds)
        writer.append(linkType.rawValue)
        writer.append(payloadLength)
    }

    init(offset: Int64, totalLength: UInt32, packetCount: UInt32, earliest: Timestamp, latest: Timestamp,
         linkType: LinkType, payloadLength: UInt32) {
        self.offset = offset
        self.totalLength = totalLength
        self.packetCount = packetCount
        self.earliest = earliest
        self.latest = latest
        self.linkType = linkType
        self.payloadLength = payloadLength
    }

    init(decoding source: UnsafeRawPointer) {
        offset = source.loadLittleEndian(at: 0)
        totalLength = source.loadLittleEndian(at: 8)
        packetCount = source.loadLittleEndian(at: 12)
        earliest = Timestamp(nanoseconds: source.loadLittleEndian(at: 16))
        latest = Timestamp(nanoseconds: source.loadLittleEndian(at: 24))
        linkType = LinkType(rawValue: source.loadLittleEndian(at: 32))
        payloadLength = source.loadLittleEndian(at: 36)
    }

    init(header: BlockHeader, offset: Int64) {
        self.init(offset: offset, totalLength: UInt32(header.totalLength), packetCount: header.packetCount,
                  earliest: Timestamp(nanoseconds: header.earliest), latest: Timestamp(nanoseconds: header.latest),
                  linkType: LinkType(rawValue: header.linkType), payloadLength: header.payloadLength)
    }
}
