/// The segments of one TCP direction that arrived ahead of the reassembled stream, waiting for
/// the hole in front of them; bytes are copies. Kept in descending order of stream offset, so that
/// the lowest segment, the one the stream needs next, is removed from the end.
///
/// Every segment starts after the stream's current end (the reassembler delivers whatever the
/// stream reaches at once), so a hole always precedes the first one.
struct OutOfOrderQueue {
    /// One segment as it arrived, in stream offsets.
    struct Entry {
        /// Stream offset of the segment's first byte.
        var start: UInt64
        /// Stream offset just past the segment in sequence space (past ``bytes`` when the capture
        /// cut the packet short).
        var end: UInt64
        /// Arrival order within the queue, for the overlap policy.
        var arrival: UInt64
        /// The captured payload.
        var bytes: [UInt8]
    }

    /// Bytes accounted per entry besides its payload: the entry and the payload's allocation.
    static let entryOverhead = MemoryLayout<Entry>.stride + 48

    private(set) var entries: [Entry] = []
    /// Payload bytes held.
    private(set) var byteCount = 0
    /// Memory held: payload sizes plus ``entryOverhead`` per entry.
    private(set) var memoryCost = 0
    private var arrivals: UInt64 = 0

    /// Whether no segment waits.
    var isEmpty: Bool { entries.isEmpty }
    /// Number of waiting segments.
    var count: Int { entries.count }
    /// Stream offset of the lowest waiting segment.
    var lowestStart: UInt64? { entries.last?.start }

    /// Queues a copy of `payload`, which occupies `start..<end` in the stream.
    mutating func insert(start: UInt64, end: UInt64, payload: UnsafeRawBufferPointer) {
        let entry = Entry(start: start, end: end, arrival: arrivals, bytes: Array(payload.assumingMemoryBound(to: UInt8.self)))
        arrivals += 1
        var low = 0
        var high = entries.count
        while low < high {  // after every entry that starts after `start`
            let middle = (low + high) / 2
            if entries[middle].start > start { low = middle + 1 } else { high = middle }
        }
        entries.insert(entry, at: low)
        byteCount += payload.count
        memoryCost += entry.bytes.count + Self.entryOverhead
    }

    /// Removes the segment that continues a stream ending at `position`: of the segments that
    /// cover that offset, the one that arrived first. Segments that end at or before `position`
    /// hold nothing new; they are dropped and their payload bytes added to `dropped`.
    mutating func takeSegment(continuing position: UInt64, dropped: inout Int) -> Entry? {
        var chosen: Int?
        var index = entries.count - 1
        while index >= 0, entries[index].start <= position {
            if entries[index].end <= position {
                dropped += entries[index].bytes.count
                remove(at: index)
                chosen = chosen.map { $0 - 1 }
            } else if chosen.map({ entries[index].arrival < entries[$0].arrival }) ?? true {
                chosen = index
            }
            index -= 1
        }
        return chosen.map { remove(at: $0) }
    }

    @discardableResult
    private mutating func remove(at index: Int) -> Entry {
        let entry = entries.remove(at: index)
        byteCount -= entry.bytes.count
        memoryCost -= entry.bytes.count + Self.entryOverhead
        return entry
    }
}
