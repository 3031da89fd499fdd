import TapedeckCore

/// A block being filled with packets on a capture or import thread, with its index keys, handed
/// to the writer thread when full. Reused through a pool: no allocation per packet, and the key
/// lists keep their storage from block to block.
final class BlockBuffer: @unchecked Sendable {
    /// The largest packet a block accepts (captured bytes).
    static let maxPacketLength = 1 << 20

    let storage: UnsafeMutableRawBufferPointer
    /// Fill level at which the block is closed.
    let targetLength: Int
    private(set) var used = 0
    private(set) var packetCount: UInt32 = 0
    private(set) var linkType = LinkType.ethernet
    private(set) var earliest = Int64.max
    private(set) var latest = Int64.min
    /// The index keys of the packets so far; finished by ``finishKeys()`` when the block is closed.
    private(set) var keys = BlockKeys()
    /// When the first packet was added (monotonic seconds), to close blocks that wait too long.
    private(set) var openedAt = 0.0

    init(targetLength: Int) {
        self.targetLength = targetLength
        storage = .allocate(byteCount: targetLength + PacketPayload.recordHeaderSize + BlockBuffer.maxPacketLength,
                            alignment: 16)
    }

    deinit {
        storage.deallocate()
    }

    var isEmpty: Bool { packetCount == 0 }
    var isFull: Bool { used >= targetLength }

    /// The records written so far.
    var payload: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[0..<used]) }

    /// Appends a packet; the caller ensures the block is not full, has the same link type (or
    /// is empty), and the packet is at most ``maxPacketLength`` bytes.
    @inline(__always)
    func append(_ record: PacketRecord, now: @autoclosure () -> Double) {
        if packetCount == 0 {
            linkType = record.linkType
            openedAt = now()
        }
        keys.add(record)
        used += PacketPayload.write(record, to: storage.baseAddress! + used)
        packetCount += 1
        let time = record.timestamp.nanoseconds
        if time < earliest { earliest = time }
        if time > latest { latest = time }
    }

    /// The span of packet time the block would cover with a packet at `time` added.
    func span(adding time: Int64) -> Int64 {
        guard packetCount > 0 else { return 0 }
        let (span, overflow) = max(latest, time).subtractingReportingOverflow(min(earliest, time))
        return overflow ? .max : span
    }

    /// Sorts and de-duplicates the keys; called when the block is handed to the writer.
    func finishKeys() {
        keys.finish()
    }

    /// Empties the block for reuse.
    func reset() {
        keys.reset()
        used = 0
        packetCount = 0
        earliest = .max
        latest = .min
    }
}
