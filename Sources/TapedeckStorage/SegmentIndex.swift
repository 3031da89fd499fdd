import TapedeckCore
import TapedeckPOSIX

/// A sealed segment's index file, memory-mapped: header totals, the block table, and sorted
/// sections searched by binary search without reading them whole.
public final class SegmentIndex: @unchecked Sendable {
    private let file: MappedFile
    /// The path of the index file.
    public let path: String
    /// The segment id recorded in the index.
    public let segmentID: UInt64
    /// Totals recorded at sealing.
    public let totals: SegmentTotals
    /// Length of the data file the index describes.
    public let dataLength: Int64
    /// Number of blocks.
    public let blockCount: Int
    private let blockTable: UnsafeRawPointer
    private var sections: [IndexSection: (base: UnsafeRawPointer, width: Int, count: Int)] = [:]

    /// Maps and checks the structure of the index at `path` (the CRC is checked by ``verify()``).
    public init(path: String) throws(StorageError) {
        self.path = path
        do { file = try MappedFile(path: path) } catch { throw .system(error) }
        let bytes = file.bytes
        func corrupt(_ reason: String) -> StorageError { .corrupt(path: path, offset: 0, reason: reason) }
        guard bytes.count >= IndexFileLayout.headerSize, let base = bytes.baseAddress,
              base.loadLittleEndian(at: 0, as: UInt64.self) == IndexFileLayout.magic else {
            throw corrupt("not a Tapedeck index file")
        }
        guard base.load(fromByteOffset: 8, as: UInt8.self) == IndexFileLayout.version else {
            throw corrupt("index format version \(base.load(fromByteOffset: 8, as: UInt8.self)) is not supported")
        }
        segmentID = base.loadLittleEndian(at: 16)
        var totals = SegmentTotals()
        totals.earliest = base.loadLittleEndian(at: 24)
        totals.latest = base.loadLittleEndian(at: 32)
        totals.packets = base.loadLittleEndian(at: 40)
        totals.capturedBytes = base.loadLittleEndian(at: 48)
        totals.originalBytes = base.loadLittleEndian(at: 56)
        totals.isTimeOrdered = base.loadLittleEndian(at: 76, as: UInt32.self) & IndexFileLayout.timeOrderedFlag != 0
        self.totals = totals
        dataLength = base.loadLittleEndian(at: 64)
        blockCount = Int(base.loadLittleEndian(at: 72, as: UInt32.self))
        let sectionCount = Int(base.loadLittleEndian(at: 80, as: UInt32.self))
        let tableStart = IndexFileLayout.headerSize + sectionCount * IndexFileLayout.directoryEntrySize
        guard sectionCount <= 64, tableStart + blockCount * BlockInfo.encodedWidth <= bytes.count else {
            throw corrupt("section directory or block table past end of file")
        }
        blockTable = base + tableStart
        for index in 0..<sectionCount {
            let entry = base + IndexFileLayout.headerSize + index * IndexFileLayout.directoryEntrySize
            let width = Int(entry.loadLittleEndian(at: 4, as: UInt32.self))
            let offset = Int(entry.loadLittleEndian(at: 8, as: UInt64.self))
            let count = Int(entry.loadLittleEndian(at: 16, as: UInt64.self))
            guard width > 0, offset <= bytes.count, count <= (bytes.count - offset) / width else {
                throw corrupt("index section \(index) past end of file")
            }
            if let kind = IndexSection(rawValue: entry.loadLittleEndian(at: 0, as: UInt32.self)) {
                sections[kind] = (base + offset, width, count)
            }
        }
    }

    /// Size of the index file.
    public var fileLength: Int { file.bytes.count }

    /// The block table entry of block `number` (`0..<blockCount`).
    public func block(_ number: Int) -> BlockInfo {
        BlockInfo(decoding: blockTable + number * BlockInfo.encodedWidth)
    }

    /// Whether the CRC in the header matches the rest of the file.
    public func verify() -> Bool {
        let bytes = file.bytes
        return CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[IndexFileLayout.headerSize...]))
            == bytes.baseAddress!.loadLittleEndian(at: 84, as: UInt32.self)
    }

    /// Number of entries in a section.
    func entryCount(_ kind: IndexSection) -> Int { sections[kind]?.count ?? 0 }

    /// Adds to `blocks` every block that has a key in `range` in section `kind`: a binary
    /// search for the lower bound, then a scan of the matching entries.
    func collectBlocks<Key: IndexKey>(_ kind: IndexSection, in range: ClosedRange<Key>, into blocks: inout BlockSet) {
        guard let section = sections[kind], section.width == Key.width + 4 else { return }
        var low = 0
        var high = section.count
        while low < high {
            let middle = (low + high) / 2
            if Key(loadingFrom: section.base + middle * section.width) < range.lowerBound {
                low = middle + 1
            } else {
                high = middle
            }
        }
        var position = low
        while position < section.count {
            let entry = section.base + position * section.width
            guard Key(loadingFrom: entry) <= range.upperBound else { break }
            let block = Int(entry.loadLittleEndian(at: Key.width, as: UInt32.self))
            if block < blockCount { blocks.insert(block) }
            position += 1
        }
    }

    /// Calls `body` with every (key, block) entry of a section, in order; for verification.
    func forEachEntry<Key: IndexKey>(_ kind: IndexSection, as _: Key.Type, _ body: (Key, Int) -> Void) {
        guard let section = sections[kind], section.width == Key.width + 4 else { return }
        for position in 0..<section.count {
            let entry = section.base + position * section.width
            body(Key(loadingFrom: entry), Int(entry.loadLittleEndian(at: Key.width, as: UInt32.self)))
        }
    }
}
