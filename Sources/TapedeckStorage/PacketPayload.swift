import TapedeckCore

/// The packet records inside an uncompressed block payload: for each packet a 16-byte record
/// header (timestamp ns `Int64`, captured length `UInt32`, original length `UInt32`,
/// little-endian) followed by the captured bytes, with no padding.
enum PacketPayload {
    /// Size of the per-packet record header.
    static let recordHeaderSize = 16

    /// Writes `record`'s header and bytes at `destination`; returns the bytes written.
    @inline(__always)
    static func write(_ record: PacketRecord, to destination: UnsafeMutableRawPointer) -> Int {
        destination.storeLittleEndian(record.timestamp.nanoseconds, at: 0)
        destination.storeLittleEndian(UInt32(record.bytes.count), at: 8)
        destination.storeLittleEndian(record.originalLength, at: 12)
        if let source = record.bytes.baseAddress, !record.bytes.isEmpty {
            (destination + recordHeaderSize).copyMemory(from: source, byteCount: record.bytes.count)
        }
        return recordHeaderSize + record.bytes.count
    }

    /// Calls `body` with each packet of `payload`, in stored order; stops early when `body`
    /// returns false. Throws if a record runs past the payload or the count does not match.
    static func forEachPacket(
        in payload: UnsafeRawBufferPointer, linkType: LinkType, expectedCount: UInt32,
        _ body: (PacketRecord) throws -> Bool
    ) throws -> Bool {
        var cursor = PacketCursor(payload: payload, linkType: linkType, expectedCount: expectedCount)
        while let record = try cursor.next() {
            if try !body(record) { return false }
        }
        return true
    }
}

/// Walks the packet records of an uncompressed block payload one at a time (see
/// ``PacketPayload``); the records borrow the payload's memory.
public struct PacketCursor {
    private let payload: UnsafeRawBufferPointer
    private let linkType: LinkType
    private let expectedCount: UInt32
    private var offset = 0
    private var count: UInt32 = 0

    /// A cursor over an empty payload.
    public init() {
        self.init(payload: UnsafeRawBufferPointer(start: nil, count: 0), linkType: .ethernet, expectedCount: 0)
    }

    init(payload: UnsafeRawBufferPointer, linkType: LinkType, expectedCount: UInt32) {
        self.payload = payload
        self.linkType = linkType
        self.expectedCount = expectedCount
    }

    /// The next packet, or nil after the last. Throws ``BlockFormatError`` if a record runs past
    /// the payload or the number of records differs from the block header's count.
    @inline(__always)
    public mutating func next() throws -> PacketRecord? {
        guard offset < payload.count, let base = payload.baseAddress else {
            guard count == expectedCount else {
                throw BlockFormatError.badPayload("\(count) packets, header says \(expectedCount)")
            }
            return nil
        }
        let headerSize = PacketPayload.recordHeaderSize
        guard payload.count - offset >= headerSize else {
            throw BlockFormatError.badPayload("record header past end of payload at \(offset)")
        }
        let timestamp = Timestamp(nanoseconds: base.loadLittleEndian(at: offset))
        let captured = Int(base.loadLittleEndian(at: offset + 8, as: UInt32.self))
        let original: UInt32 = base.loadLittleEndian(at: offset + 12)
        guard captured <= payload.count - offset - headerSize else {
            throw BlockFormatError.badPayload("record of \(captured) bytes past end of payload at \(offset)")
        }
        let bytes = UnsafeRawBufferPointer(start: base + offset + headerSize, count: captured)
        count += 1
        offset += headerSize + captured
        return PacketRecord(timestamp: timestamp, originalLength: original, linkType: linkType, bytes: bytes)
    }
}
