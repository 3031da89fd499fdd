/// The 64-byte header at the start of a segment data file (see Storage/FORMAT.md).
///
/// ```
/// offset size field
///  0     8    magic "TDSEGDAT"
///  8     1    format version (1)
///  9     7    reserved, zero
/// 16     8    segment id
/// 24     8    creation time (ns since epoch, wall clock)
/// 32    32    reserved, zero
/// ```
struct DataFileHeader: Equatable, Sendable {
    static let size = 64
    static let magic: UInt64 = 0x5441_4447_4553_4454  // "TDSEGDAT" little-endian
    static let version: UInt8 = 1

    var segmentID: UInt64
    var created: Int64

    func encoded() -> [UInt8] {
        var writer = LittleEndianWriter(capacity: DataFileHeader.size)
        writer.append(DataFileHeader.magic)
        writer.append(DataFileHeader.version)
        writer.appendZeros(7)
        writer.append(segmentID)
        writer.append(created)
        writer.appendZeros(32)
        return writer.bytes
    }

    static func decode(_ source: UnsafeRawBufferPointer) -> DataFileHeader? {
        guard source.count >= size, let base = source.baseAddress,
              base.loadLittleEndian(at: 0, as: UInt64.self) == magic,
              base.load(fromByteOffset: 8, as: UInt8.self) == version else { return nil }
        return DataFileHeader(segmentID: base.loadLittleEndian(at: 16), created: base.loadLittleEndian(at: 24))
    }
}
