/// One index section being built: the keys seen in the current block, and the sorted,
/// de-duplicated `(key, block)` entries of the blocks already closed.
struct KeyColumn<Key: IndexKey> {
    private var blockKeys: [Key] = []
    private(set) var entries: [Entry] = []

    struct Entry: Comparable {
        var key: Key
        var block: UInt32

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            lhs.key != rhs.key ? lhs.key < rhs.key : lhs.block < rhs.block
        }
    }

    /// Notes that the current block holds a packet with `key`.
    @inline(__always)
    mutating func add(_ key: Key) {
        if let last = blockKeys.last, last == key { return }
        blockKeys.append(key)
    }

    /// Ends the current block: its distinct keys become entries for `block`.
    mutating func closeBlock(_ block: UInt32) {
        guard !blockKeys.isEmpty else { return }
        blockKeys.sort()
        var previous: Key?
        for key in blockKeys where key != previous {
            entries.append(Entry(key: key, block: block))
            previous = key
        }
        blockKeys.removeAll(keepingCapacity: true)
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
