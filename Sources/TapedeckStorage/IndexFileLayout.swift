/// The layout of a segment index file (see Storage/FORMAT.md), shared by the builder and the reader.
///
/// ```
/// header, 128 bytes
///  0   8  magic "TDSEGIDX"
///  8   1  format version (1)
/// 16   8  segment id
/// 24   8  earliest packet time (ns)      32  8  latest packet time (ns)
/// 40   8  packets                         48  8  captured bytes
/// 56   8  original (wire) bytes           64  8  data file length covered
/// 72   4  block count                     76  4  flags (bit 0: packets in time order)
/// 80   4  section count                   84  4  CRC-32C of bytes 128..<end
/// section directory: section count × 24 bytes (kind u32, entry width u32, offset u64, count u64)
/// block table: block count × 40 bytes (see BlockInfo)
/// sections: sorted (key, block u32) entries, each section 8-byte aligned
/// ```
enum IndexFileLayout {
    static let magic: UInt64 = 0x5844_4947_4553_4454  // "TDSEGIDX" little-endian
    static let version: UInt8 = 1
    static let headerSize = 128
    static let directoryEntrySize = 24
    /// Flag bit: every packet's time is ≥ the previous packet's, across all blocks.
    static let timeOrderedFlag: UInt32 = 1
}

/// Totals of a segment, as recorded in its index header and the catalog.
public struct SegmentTotals: Equatable, Sendable {
    public var earliest: Int64 = .max
    public var latest: Int64 = .min
    public var packets: UInt64 = 0
    public var capturedBytes: UInt64 = 0
    public var originalBytes: UInt64 = 0
    public var isTimeOrdered = true

    public init() {}
}
