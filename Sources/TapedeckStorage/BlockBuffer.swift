import TapedeckCore

/// A block being filled with packets on the capture or import thread, handed to the writer
/// thread when full. Reused through a pool: no allocation per packet or per block.
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
    func append(_ record: PacketRecord) {
        if packetCount == 0 { linkType = record.linkType }
        used += PacketPayload.write(record, to: storage.baseAddress! + used)
        packetCount += 1
        let time = record.timestamp.nanoseconds
        if time < earliest { earliest = time }
        if time > latest { latest = time }
    }

    /// Empties the block for reuse.
    func reset() {
        used = 0
        packetCount = 0
        earliest = .max
        latest = .min
    }
}
