/// Reassembles one direction of a TCP connection into a byte stream with gaps.
///
/// Stream offsets are 64-bit counts from the direction's origin (the byte after the SYN, or the
/// first sequence number seen); sequence numbers are mapped to offsets through their signed
/// 32-bit distance from the stream's current end, so wrap-around needs no special case.
///
/// The overlap policy (the same as Wireshark's "Follow TCP Stream"): bytes already delivered are
/// final, so retransmissions and overlapping segments only add what lies beyond the stream's end
/// (first copy wins). When the stream can grow, the segment that covers its end supplies all of
/// its remaining bytes; among several segments that cover it, the one that arrived first.
/// Keep-alives (one old byte at the end minus one) and repeated zero-window probes are old bytes
/// and are dropped. A hole becomes a gap when the receiver acknowledges data past it (the capture
/// missed bytes the receiver got), when the out-of-order buffer overflows, and at the end of the
/// flow; bytes that arrive later for a gap are dropped.
///
/// Delivered bytes collect in runs of at most `runBytes` bytes that the tracker hands out as
/// stream segments; a gap ends a run. A run copies nothing: it lists where its bytes are, in the
/// chunk's stored packets or in segments taken from the out-of-order queue, and they are gathered
/// once, into the stream segment, when the run is emitted (always before the chunk is).
struct StreamReassembler {
    /// A contiguous piece of a run.
    enum Piece {
        /// Bytes of a packet in the chunk being filled.
        case stored(StoredBytes, count: Int)
        /// Bytes of a segment that waited in the out-of-order queue.
        case owned([UInt8], range: Range<Int>)

        /// Number of bytes.
        var count: Int {
            switch self {
            case .stored(_, let count): count
            case .owned(_, let range): range.count
            }
        }

        /// The first `count` bytes, and the rest.
        func split(at count: Int) -> (Piece, Piece) {
            switch self {
            case .stored(let location, let total):
                (.stored(location, count: count), .stored(location.advanced(by: count), count: total - count))
            case .owned(let bytes, let range):
                (.owned(bytes, range: range.lowerBound..<range.lowerBound + count),
                 .owned(bytes, range: range.lowerBound + count..<range.upperBound))
            }
        }
    }

    /// Delivered bytes not yet emitted, and the gap before them.
    struct Run {
        /// Stream offset of the first byte.
        var offset: UInt64 = 0
        /// Bytes missing right before `offset`.
        var missingBefore: UInt64 = 0
        /// Where the bytes are, in order.
        var pieces: [Piece] = []
        /// Number of bytes.
        var byteCount = 0
        /// Bytes held by owned pieces.
        var ownedBytes = 0

        /// Whether the run carries neither bytes nor a gap.
        var isEmpty: Bool { byteCount == 0 && missingBefore == 0 }

        /// Memory the run holds besides the stored packets.
        var memoryCost: Int { pieces.count * MemoryLayout<Piece>.stride + ownedBytes }

        /// The bytes, copied out of `packets` (the chunk the stored pieces point into) and the
        /// owned pieces.
        func bytes(from packets: FlowPackets) -> [UInt8] {
            [UInt8](unsafeUninitializedCapacity: byteCount) { buffer, initialized in
                for piece in pieces {
                    let destination = UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[initialized...]))
                    switch piece {
                    case .stored(let location, let count):
                        packets.withBytes(at: location, length: count) { destination.copyMemory(from: $0) }
                    case .owned(let bytes, let range):
                        bytes.withUnsafeBytes { destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[range])) }
                    }
                    initialized += piece.count
                }
            }
        }
    }

    /// Limits the reassembler works within.
    struct Limits {
        /// Bytes per run.
        var runBytes: Int
        /// Bytes in the out-of-order queue.
        var queuedBytes: Int
        /// Segments in the out-of-order queue.
        var queuedSegments: Int
    }

    /// The farthest ahead of the stream's end a segment may start (1 GiB, the largest TCP window):
    /// segments beyond it are taken for garbage rather than announce a gigantic gap.
    static let maximumJump: Int64 = 1 << 30

    /// Whether the origin is known (a packet was seen in this direction).
    private(set) var isStarted = false
    /// Whether offset 0 is the byte after the SYN.
    private(set) var startsAtConnectionStart = false
    /// Whether any payload or gap was produced; such a direction gets a final segment.
    private(set) var hasOutput = false
    /// Number of segments emitted so far (the next segment's index).
    var emittedSegments: UInt32 = 0
    /// The sequence number of offset 0.
    private var origin: UInt32 = 0
    /// Whether the origin came from a packet that may have been a keep-alive probe.
    private var originMayBeProbe = false
    /// The stream's end: every offset below it was delivered or declared a gap.
    private(set) var position: UInt64 = 0
    /// Stream offset of the FIN, once seen.
    private var finOffset: UInt64?
    private var queue = OutOfOrderQueue()
    /// The open run; it always ends at `position`.
    private var run = Run()
    /// Runs completed by a gap or by the size limit, not yet emitted.
    private(set) var completedRuns: [Run] = []

    /// Memory held besides the stored packets: run bookkeeping, owned bytes, the out-of-order queue.
    var memoryCost: Int {
        run.memoryCost + queue.memoryCost + (completedRuns.isEmpty ? 0 : completedRuns.reduce(0) { $0 + $1.memoryCost })
    }

    /// Sets the origin from the direction's first packet: `sequence` is the sequence number of
    /// its first payload byte (after the SYN's own number, for a SYN). Without SYN and payload
    /// the packet may be a keep-alive probe, sent one below the next byte (RFC 1122 §4.2.3.6):
    /// when the first payload or FIN then comes exactly one later, the origin moves there.
    mutating func start(at sequence: UInt32, atConnectionStart: Bool, hasPayload: Bool) {
        isStarted = true
        origin = sequence
        startsAtConnectionStart = atConnectionStart
        originMayBeProbe = !atConnectionStart && !hasPayload
    }

    /// Adds a segment's payload: `length` sequence numbers from `sequence`, of which `payload`
    /// holds the first `payload.count` (fewer when the capture cut the packet short); `stored` is
    /// where the chunk keeps `payload`.
    mutating func receive(sequence: UInt32, payload: UnsafeRawBufferPointer, stored: StoredBytes, length: Int,
                          limits: Limits, counters: inout FlowTrackerStatistics) {
        settleOrigin(before: sequence)
        let distance = SequenceNumber.distance(from: sequenceNumber(at: position), to: sequence)
        guard distance <= Self.maximumJump else {
            counters.segmentsOutOfWindow += 1
            return
        }
        let start = Int64(position) + distance
        let end = start + Int64(length)
        guard end > Int64(position) else {
            counters.retransmittedBytes += payload.count
            return
        }
        if start > Int64(position) {
            queue.insert(start: UInt64(start), end: UInt64(end), payload: payload)
            while !queue.isEmpty, queue.byteCount > limits.queuedBytes || queue.count > limits.queuedSegments {
                skipToQueue(limits: limits, counters: &counters)
            }
            return
        }
        deliver(.stored(stored, count: payload.count), skipping: Int(Int64(position) - start), end: UInt64(end),
                limits: limits, counters: &counters)
        drainQueue(limits: limits, counters: &counters)
    }

    /// The other side acknowledged everything before `acknowledgment`: holes before a queued
    /// segment that it acknowledged were received but not captured, so they become gaps.
    mutating func acknowledge(_ acknowledgment: UInt32, limits: Limits, counters: inout FlowTrackerStatistics) {
        while let lowest = queue.lowestStart, SequenceNumber.isAfter(acknowledgment, sequenceNumber(at: lowest)) {
            skipToQueue(limits: limits, counters: &counters)
        }
    }

    /// Notes the FIN at sequence number `sequence`.
    mutating func noteFIN(at sequence: UInt32) {
        settleOrigin(before: sequence)
        let distance = SequenceNumber.distance(from: sequenceNumber(at: position), to: sequence)
        guard finOffset == nil, distance >= 0, distance <= Self.maximumJump else { return }
        finOffset = position + UInt64(distance)
    }

    /// The flow ends: every hole before a queued segment, and the bytes missing before the FIN,
    /// become gaps.
    mutating func finish(limits: Limits, counters: inout FlowTrackerStatistics) {
        while !queue.isEmpty {
            skipToQueue(limits: limits, counters: &counters)
        }
        if let finOffset, finOffset > position {
            skip(finOffset - position)
        }
    }

    /// Removes the completed runs and, with `includingOpen`, the open run when it has content.
    mutating func takeRuns(includingOpen: Bool) -> [Run] {
        var runs = completedRuns
        completedRuns = []
        if includingOpen, !run.isEmpty {
            runs.append(run)
            run = Run(offset: position)
        }
        return runs
    }

    /// The open run's offset (where the next emitted segment starts), for an empty final segment.
    var openRunOffset: UInt64 { run.offset }

    // MARK: - Internals

    @inline(__always)
    private func sequenceNumber(at offset: UInt64) -> UInt32 {
        origin &+ UInt32(truncatingIfNeeded: offset)
    }

    /// Moves the origin past a keep-alive probe (see ``start(at:atConnectionStart:hasPayload:)``)
    /// when the first payload or FIN, at `sequence`, follows it by one.
    private mutating func settleOrigin(before sequence: UInt32) {
        guard originMayBeProbe else { return }
        originMayBeProbe = false
        if position == 0, queue.isEmpty, sequence == origin &+ 1 {
            origin = sequence
        }
    }

    /// Delivers a segment that reaches the stream's end: its bytes after the first `skipping`
    /// (already delivered), then a gap up to `end` for bytes the capture cut off.
    private mutating func deliver(_ piece: Piece, skipping: Int, end: UInt64, limits: Limits,
                                  counters: inout FlowTrackerStatistics) {
        counters.retransmittedBytes += min(skipping, piece.count)
        if skipping < piece.count {
            append(skipping == 0 ? piece : piece.split(at: skipping).1, limits: limits)
        }
        if end > position {
            skip(end - position)
        }
    }

    /// Delivers queued segments for as long as one continues the stream.
    private mutating func drainQueue(limits: Limits, counters: inout FlowTrackerStatistics) {
        while let entry = queue.takeSegment(continuing: position, dropped: &counters.retransmittedBytes) {
            deliver(.owned(entry.bytes, range: entry.bytes.indices), skipping: Int(position - entry.start), end: entry.end,
                    limits: limits, counters: &counters)
        }
    }

    /// Declares the hole before the lowest queued segment a gap, then drains the queue.
    private mutating func skipToQueue(limits: Limits, counters: inout FlowTrackerStatistics) {
        guard let lowest = queue.lowestStart else { return }
        if lowest > position { skip(lowest - position) }
        drainQueue(limits: limits, counters: &counters)
    }

    /// Appends delivered bytes to the open run, completing runs at the size limit.
    private mutating func append(_ piece: Piece, limits: Limits) {
        hasOutput = true
        var rest = piece
        while rest.count > 0 {
            if run.byteCount >= limits.runBytes {
                completedRuns.append(run)
                run = Run(offset: position)
            }
            let taken = min(rest.count, limits.runBytes - run.byteCount)
            let (head, tail) = taken == rest.count ? (rest, Piece.stored(StoredBytes(page: 0, offset: 0), count: 0))
                                                   : rest.split(at: taken)
            if case .owned(let bytes, _) = head { run.ownedBytes += bytes.count }
            run.pieces.append(head)
            run.byteCount += taken
            position += UInt64(taken)
            rest = tail
        }
    }

    /// Declares the next `count` bytes of the stream missing.
    private mutating func skip(_ count: UInt64) {
        guard count > 0 else { return }
        hasOutput = true
        if run.byteCount == 0 {
            run.missingBefore += count
            run.offset += count
        } else {
            completedRuns.append(run)
            run = Run(offset: position + count, missingBefore: count)
        }
        position += count
    }
}
