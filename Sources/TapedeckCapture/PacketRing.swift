import CTapedeckLinux
import TapedeckPOSIX

/// The TPACKET_V3 receive ring of a ``PacketSocket``, mapped into memory: `blockCount` blocks the
/// kernel fills in turn and hands over by setting `TP_STATUS_USER` in their status, and that go
/// back, in the same order, with `TP_STATUS_KERNEL`. A plain value; its owner calls ``unmap()``.
struct PacketRing {
    private let mapping: SharedMemoryMapping
    private let blockSize: Int
    private let blockCount: Int
    /// The block the kernel hands over next.
    private var current = 0

    /// Maps the ring `socket` allocated with `PACKET_RX_RING`.
    init(socket: PacketSocket, blockSize: Int, blockCount: Int) throws(Errno) {
        mapping = try SharedMemoryMapping(descriptor: socket.socket.rawValue, length: blockSize * blockCount,
                                          context: "packet ring of fd \(socket.socket.rawValue)")
        self.blockSize = blockSize
        self.blockCount = blockCount
    }

    /// Whether the ring's pages are locked in memory (`MAP_LOCKED`).
    var isLocked: Bool { mapping.isLocked }

    /// Unmaps the ring.
    func unmap() {
        mapping.unmap()
    }

    /// The current block and its status, if the kernel has handed it over.
    @inline(__always)
    func readyBlock() -> (block: UnsafeMutablePointer<tpacket_block_desc>, status: UInt32)? {
        let block = (mapping.bytes.baseAddress! + current * blockSize).assumingMemoryBound(to: tpacket_block_desc.self)
        let status = tapedeck_tpacket_block_status(block)
        return status & UInt32(TP_STATUS_USER) != 0 ? (block, status) : nil
    }

    /// Hands the current block back to the kernel and moves on to the next.
    mutating func releaseCurrent() {
        let block = (mapping.bytes.baseAddress! + current * blockSize).assumingMemoryBound(to: tpacket_block_desc.self)
        tapedeck_tpacket_block_release(block)
        current = current + 1 == blockCount ? 0 : current + 1
    }
}
