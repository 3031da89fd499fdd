/// A set of block numbers of one segment, as a bitmap: the planner's currency, combined with
/// `and`/`or` as the query is.
public struct BlockSet: Equatable, Sendable {
    private var words: [UInt64]
    /// Number of blocks in the segment (the universe).
    public let capacity: Int

    /// An empty set over `capacity` blocks.
    public init(capacity: Int) {
        self.capacity = capacity
        words = Array(repeating: 0, count: (capacity + 63) / 64)
    }

    /// The set of all `capacity` blocks.
    public static func all(capacity: Int) -> BlockSet {
        var set = BlockSet(capacity: capacity)
        for index in set.words.indices { set.words[index] = .max }
        if capacity % 64 != 0, !set.words.isEmpty { set.words[set.words.count - 1] = (1 << UInt64(capacity % 64)) - 1 }
        return set
    }

    /// Adds block `number`.
    @inline(__always)
    public mutating func insert(_ number: Int) {
        words[number >> 6] |= 1 << UInt64(number & 63)
    }

    /// Whether block `number` is in the set.
    public func contains(_ number: Int) -> Bool {
        words[number >> 6] & (1 << UInt64(number & 63)) != 0
    }

    /// Keeps only blocks also in `other`.
    public mutating func formIntersection(_ other: BlockSet) {
        for index in words.indices { words[index] &= other.words[index] }
    }

    /// Adds the blocks of `other`.
    public mutating func formUnion(_ other: BlockSet) {
        for index in words.indices { words[index] |= other.words[index] }
    }

    /// Whether no block is in the set.
    public var isEmpty: Bool { words.allSatisfy { $0 == 0 } }

    /// Number of blocks in the set.
    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// The block numbers in ascending order.
    public var numbers: [Int] {
        var result: [Int] = []
        for (index, word) in words.enumerated() {
            var remaining = word
            while remaining != 0 {
                result.append(index * 64 + remaining.trailingZeroBitCount)
                remaining &= remaining - 1
            }
        }
        return result
    }
}
