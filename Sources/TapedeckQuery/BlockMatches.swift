import TapedeckCore
import TapedeckStorage

/// The matching packets of one block, copied out of the segment's read buffer and ordered by
/// time (stable), so that several blocks can be merged at once.
final class BlockMatches {
    private(set) var linkType = LinkType.ethernet
    private var bytes: UnsafeMutableRawBufferPointer
    private var used = 0
    private var records: [Record] = []
    private var position = 0
    /// Merge tie-breakers: the segment's position in id order and the block number.
    private(set) var segmentOrder = 0
    private(set) var blockNumber = 0

    private struct Record {
        var time: Int64
        var originalLength: UInt32
        var length: UInt32
        var offset: Int
    }

    init() {
        bytes = .allocate(byteCount: 256 << 10, alignment: 16)
    }

    deinit {
        bytes.deallocate()
    }

    /// Fills the buffer with the packets of `cursor` that are in `window` and match `expression`.
    func fill(from cursor: inout PacketCursor, linkType: LinkType, segmentOrder: Int, blockNumber: Int,
              window: TimeWindow, expression: QueryExpression, statistics: inout QueryStatistics) throws {
        self.linkType = linkType
        self.segmentOrder = segmentOrder
        self.blockNumber = blockNumber
        used = 0
        position = 0
        records.removeAll(keepingCapacity: true)
        var sorted = true
        while let record = try cursor.next() {
            statistics.packetsExamined += 1
            guard window.contains(record.timestamp) else { continue }
            let packet = PacketDecoder.decode(record.bytes, linkType: record.linkType)
            guard expression.matches(packet, at: record.timestamp) else { continue }
            let length = record.bytes.count
            if used + length > bytes.count {
                let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count * 2, used + length), alignment: 16)
                grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<used]))
                bytes.deallocate()
                bytes = grown
            }
            if length > 0 { (bytes.baseAddress! + used).copyMemory(from: record.bytes.baseAddress!, byteCount: length) }
            if let last = records.last, last.time > record.timestamp.nanoseconds { sorted = false }
            records.append(Record(time: record.timestamp.nanoseconds, originalLength: record.originalLength,
                                  length: UInt32(length), offset: used))
            used += length
        }
        if !sorted {
            // Stable: equal times keep their stored order.
            records = records.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        }
    }

    /// Whether every packet has been taken.
    var isExhausted: Bool { position >= records.count }

    /// Time of the current packet; only when not exhausted.
    var currentTime: Int64 { records[position].time }

    /// The current packet, valid until the buffer is refilled.
    var current: PacketRecord {
        let record = records[position]
        return PacketRecord(timestamp: Timestamp(nanoseconds: record.time), originalLength: record.originalLength,
                            linkType: linkType,
                            bytes: UnsafeRawBufferPointer(start: bytes.baseAddress! + record.offset, count: Int(record.length)))
    }

    /// Moves to the next packet.
    func advance() {
        position += 1
    }

    /// Whether this buffer's current packet goes before `other`'s: by time, then segment, then block.
    func precedes(_ other: BlockMatches) -> Bool {
        (currentTime, segmentOrder, blockNumber) < (other.currentTime, other.segmentOrder, other.blockNumber)
    }
}
