/// One index section being built: `(key, block)` entries, one per distinct key per block,
/// sorted when the section is serialised.
struct KeyColumn<Key: IndexKey> {
    private(set) var entries: [Entry] = []

    struct Entry: Comparable {
        var key: Key
        var block: UInt32

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            lhs.key != rhs.key ? lhs.key < rhs.key : lhs.block < rhs.block
        }
    }

    /// Adds the (distinct) keys of block `block`.
    mutating func append(_ keys: [Key], block: UInt32) {
        for key in keys { entries.append(Entry(key: key, block: block)) }
    }

    /// Width of one entry on disk: the key then a 32-bit block number.
    static var entryWidth: Int { Key.width + 4 }

    /// Appends the entries, sorted by key then block, to `writer`.
    mutating func serialize(into writer: inout LittleEndianWriter) {
        entries.sort()
        let width = Self.entryWidth
        let start = writer.bytes.count
        writer.appendZeros(entries.count * width)
        writer.bytes.withUnsafeMutableBytes { raw in
            var pointer = raw.baseAddress! + start
            for entry in entries {
                entry.key.store(to: pointer)
                pointer.storeLittleEndian(entry.block, at: Key.width)
                pointer += width
            }
        }
    }
}
