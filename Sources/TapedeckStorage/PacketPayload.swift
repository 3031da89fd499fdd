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
        guard let base = payload.baseAddress else { return expectedCount == 0 }
        var offset = 0
        var count: UInt32 = 0
        while offset < payload.count {
            guard payload.count - offset >= recordHeaderSize else {
                throw BlockFormatError.badPayload("record header past end of payload at \(offset)")
            }
            let timestamp = Timestamp(nanoseconds: base.loadLittleEndian(at: offset))
            let captured = Int(base.loadLittleEndian(at: offset + 8, as: UInt32.self))
            let original: UInt32 = base.loadLittleEndian(at: offset + 12)
            guard captured <= payload.count - offset - recordHeaderSize else {
                throw BlockFormatError.badPayload("record of \(captured) bytes past end of payload at \(offset)")
            }
            let bytes = UnsafeRawBufferPointer(start: base + offset + recordHeaderSize, count: captured)
            count += 1
            offset += recordHeaderSize + captured
            if try !body(PacketRecord(timestamp: timestamp, originalLength: original, linkType: linkType, bytes: bytes)) {
                return false
            }
        }
        guard count == expectedCount else {
            throw BlockFormatError.badPayload("\(count) packets, header says \(expectedCount)")
        }
        return true
    }
}
