import CPcap
import CTapedeckLinux
import TapedeckPOSIX

#if canImport(Glibc)
import Glibc
#endif

/// An `AF_PACKET` raw socket and the options of a TPACKET_V3 capture, one method per option.
/// A plain value; its owner (``AFPacketSource``) calls ``close()``.
struct PacketSocket {
    let socket: Socket

    /// A raw packet socket that receives nothing until ``bind(interfaceIndex:protocol:)`` gives it
    /// a protocol (`socket(AF_PACKET, SOCK_RAW, 0)`), so that no packet of another interface,
    /// nor one the filter would refuse, lands in the ring while it is set up.
    static func open() throws(Errno) -> PacketSocket {
        PacketSocket(socket: try Socket.open(domain: AF_PACKET, type: Int32(SOCK_RAW.rawValue), protocol: 0))
    }

    /// Closes the socket, which releases the ring (unmap it first), the fanout membership and
    /// promiscuous mode.
    func close() {
        try? socket.close()
    }

    /// Binds to interface `index`, receiving frames of EtherType `protocol` (`ETH_P_ALL`: every
    /// frame, in and out), or none for 0.
    func bind(interfaceIndex index: Int32, protocol: Int32) throws(Errno) {
        var address = sockaddr_ll()
        address.sll_family = UInt16(AF_PACKET)
        address.sll_protocol = UInt16(truncatingIfNeeded: `protocol`).bigEndian
        address.sll_ifindex = index
        try socket.bind(to: address, description: "interface \(index), protocol \(`protocol`)")
    }

    /// The `ARPHRD_*` type of the bound interface (`sll_hatype` from `getsockname`).
    func hardwareType() throws(Errno) -> Int32 {
        var address = sockaddr_ll()
        try socket.localAddress(into: &address)
        return Int32(address.sll_hatype)
    }

    /// Selects the TPACKET_V3 ring layout (`PACKET_VERSION`).
    func useTPacketV3() throws(Errno) {
        try socket.setOption(level: SOL_PACKET, PACKET_VERSION, Int32(TPACKET_V3.rawValue), name: "PACKET_VERSION")
    }

    /// Stops delivering packets the host sends (`PACKET_IGNORE_OUTGOING`, Linux 4.20). On a
    /// loopback interface every packet is sent and received, so this keeps one copy, as libpcap does.
    func ignoreOutgoingPackets() throws(Errno) {
        try socket.setOption(level: SOL_PACKET, PACKET_IGNORE_OUTGOING, Int32(1), name: "PACKET_IGNORE_OUTGOING")
    }

    /// Allocates the receive ring (`PACKET_RX_RING` with a `tpacket_req3`); map it next.
    func setReceiveRing(blockSize: Int, blockCount: Int, frameSize: Int, blockTimeoutMilliseconds: Int) throws(Errno) {
        var request = tpacket_req3()
        request.tp_block_size = UInt32(blockSize)
        request.tp_block_nr = UInt32(blockCount)
        request.tp_frame_size = UInt32(frameSize)
        request.tp_frame_nr = UInt32(blockSize / frameSize * blockCount)
        request.tp_retire_blk_tov = UInt32(blockTimeoutMilliseconds)
        try socket.setOption(level: SOL_PACKET, PACKET_RX_RING, request, name: "PACKET_RX_RING")
    }

    /// Puts interface `index` in promiscuous mode until the socket closes
    /// (`PACKET_ADD_MEMBERSHIP` with `PACKET_MR_PROMISC`).
    func addPromiscuousMembership(interfaceIndex index: Int32) throws(Errno) {
        var request = packet_mreq()
        request.mr_ifindex = index
        request.mr_type = UInt16(PACKET_MR_PROMISC)
        try socket.setOption(level: SOL_PACKET, PACKET_ADD_MEMBERSHIP, request, name: "PACKET_ADD_MEMBERSHIP")
    }

    /// Joins fanout group `group`, flows spread by hash, fragments reassembled first
    /// (`PACKET_FANOUT` with `PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG`). The socket must be
    /// bound with a protocol.
    func joinFanoutGroup(_ group: UInt16) throws(Errno) {
        let mode = Int32(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG)
        try socket.setOption(level: SOL_PACKET, PACKET_FANOUT, Int32(group) | mode << 16, name: "PACKET_FANOUT")
    }

    /// Runs `program` on every packet before it enters the ring (`SO_ATTACH_FILTER`; libpcap's
    /// `bpf_insn` and the kernel's `sock_filter` have the same layout). Replaces any earlier filter.
    func attachFilter(_ program: BPFProgram) throws(Errno) {
        try program.withProgram { (program) throws(Errno) in
            try attach(count: program.pointee.bf_len,
                       instructions: UnsafeMutableRawPointer(program.pointee.bf_insns)?.assumingMemoryBound(to: sock_filter.self))
        }
    }

    /// Replaces the filter with one that refuses every packet (`SO_ATTACH_FILTER` with the single
    /// instruction `ret #0`): nothing enters the ring any more.
    func attachRejectAllFilter() throws(Errno) {
        var reject = sock_filter(code: UInt16(BPF_RET | BPF_K), jt: 0, jf: 0, k: 0)
        try attach(count: 1, instructions: &reject)
    }

    private func attach(count: UInt32, instructions: UnsafeMutablePointer<sock_filter>?) throws(Errno) {
        let program = sock_fprog(len: UInt16(clamping: count), filter: instructions)
        try socket.setOption(level: SOL_SOCKET, SO_ATTACH_FILTER, program, name: "SO_ATTACH_FILTER")
    }

    /// The kernel's counters since the last call, which resets them (`PACKET_STATISTICS`).
    func statistics() throws(Errno) -> tpacket_stats_v3 {
        var stats = tpacket_stats_v3()
        try socket.getOption(level: SOL_PACKET, PACKET_STATISTICS, into: &stats, name: "PACKET_STATISTICS")
        return stats
    }

    /// The socket's pending error, cleared by reading it (`SO_ERROR`), e.g. `ENETDOWN`.
    func pendingError() throws(Errno) -> Int32 {
        var code: Int32 = 0
        try socket.getOption(level: SOL_SOCKET, SO_ERROR, into: &code, name: "SO_ERROR")
        return code
    }
}
