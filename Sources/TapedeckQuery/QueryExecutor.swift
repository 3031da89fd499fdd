import TapedeckCore
import TapedeckStorage

/// Runs a query against a store: prunes segments by time through the catalog, blocks through
/// each segment's index, reads only the candidate blocks, tests every packet exactly, and
/// merges the matches of all blocks into one stream in time order.
///
/// Blocks are merged lazily in order of their earliest packet, so only blocks whose time
/// ranges overlap are held in memory at once.
public final class QueryExecutor {
    /// The query.
    public let expression: QueryExpression
    /// The time window the query is limited to (from its top-level `before`/`after`).
    public let window: TimeWindow
    private let segments: [SegmentReader]
    private var candidates: [Candidate] = []
    /// What planning and running did so far.
    public private(set) var statistics = QueryStatistics()

    private struct Candidate {
        var segmentOrder: Int
        var block: Int
        var earliest: Timestamp
        var linkType: LinkType
    }

    /// Plans `expression` against `store`: opens the segments that overlap its time window and
    /// finds the candidate blocks of each.
    public init(store: StoreReader, expression: QueryExpression) throws(StorageError) {
        self.expression = expression
        window = expression.timeWindow
        segments = try store.openSegments(overlapping: window)
        for (order, segment) in segments.enumerated() {
            statistics.segmentsSearched += 1
            var blocks = expression.candidateBlocks(in: segment)
            if window != .all { blocks.formIntersection(segment.blocks(overlapping: window)) }
            for number in blocks.numbers {
                let info = segment.block(number)
                candidates.append(Candidate(segmentOrder: order, block: number, earliest: info.earliest, linkType: info.linkType))
            }
        }
        candidates.sort { ($0.earliest, $0.segmentOrder, $0.block) < ($1.earliest, $1.segmentOrder, $1.block) }
    }

    /// The link types of the candidate blocks, ascending: a result may contain packets of each.
    public var linkTypes: [LinkType] {
        Array(Set(candidates.map(\.linkType))).sorted()
    }

    /// Number of blocks the query will read.
    public var candidateBlockCount: Int { candidates.count }

    /// Streams the matching packets in time order to `emit`, until done or a limit is reached.
    /// Records are valid only during the call to `emit`.
    public func run(limits: QueryLimits = QueryLimits(), _ emit: (PacketRecord) throws -> Void) throws -> QueryStatistics {
        var heap: [BlockMatches] = []
        var spare: [BlockMatches] = []
        var next = 0
        var bytes = 0
        func activate(_ candidate: Candidate) throws {
            let segment = segments[candidate.segmentOrder]
            var cursor = try segment.packets(inBlock: candidate.block)
            statistics.blocksRead += 1
            let matches = spare.popLast() ?? BlockMatches()
            do {
                try matches.fill(from: &cursor, linkType: candidate.linkType, segmentOrder: candidate.segmentOrder,
                                 blockNumber: candidate.block, window: window, expression: expression,
                                 statistics: &statistics)
            } catch let error as StorageError {
                throw error
            } catch {
                throw StorageError.corrupt(path: segment.dataPath, offset: segment.block(candidate.block).offset,
                                           reason: "block \(candidate.block): \(error)")
            }
            if matches.isExhausted { spare.append(matches) } else { heap.push(matches) }
        }
        while true {
            // Open every block that could hold a packet earlier than the earliest one pending.
            while next < candidates.count,
                  heap.isEmpty || candidates[next].earliest.nanoseconds <= heap[0].currentTime {
                try activate(candidates[next])
                next += 1
            }
            guard let top = heap.first else { break }
            let record = top.current
            let recordBytes = 16 + record.bytes.count
            if let maxPackets = limits.maxPackets, statistics.packetsMatched >= maxPackets {
                statistics.limitReached = true
                break
            }
            if let maxBytes = limits.maxBytes, bytes + recordBytes > maxBytes {
                statistics.limitReached = true
                break
            }
            try emit(record)
            statistics.packetsMatched += 1
            statistics.bytesMatched += record.bytes.count
            bytes += recordBytes
            top.advance()
            if top.isExhausted {
                spare.append(heap.popFirst())
            } else {
                heap.siftDown(from: 0)
            }
        }
        return statistics
    }
}

extension Array where Element == BlockMatches {
    /// Adds to a binary min-heap ordered by ``BlockMatches/precedes(_:)``.
    fileprivate mutating func push(_ element: BlockMatches) {
        append(element)
        var child = count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard self[child].precedes(self[parent]) else { break }
            swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the heap's first element.
    fileprivate mutating func popFirst() -> BlockMatches {
        swapAt(0, count - 1)
        let first = removeLast()
        if !isEmpty { siftDown(from: 0) }
        return first
    }

    /// Restores the heap order after the element at `index` moved later.
    fileprivate mutating func siftDown(from index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1
            guard left < count else { return }
            var smallest = left
            if left + 1 < count, self[left + 1].precedes(self[left]) { smallest = left + 1 }
            guard self[smallest].precedes(self[parent]) else { return }
            swapAt(parent, smallest)
            parent = smallest
        }
    }
}
