import CTapedeckLinux

#if canImport(Glibc)
import Glibc
#endif

/// How an ``AFPacketSource`` captures: the interface, the TPACKET_V3 ring, and what reaches it.
/// Every property documents its default.
///
/// ## The ring
/// The kernel writes packets one after another into a block of ``blockSize`` bytes and hands the
/// block over when it is full or when ``blockTimeoutMilliseconds`` passed since it began filling
/// it; the ring holds ``ringSize`` / ``blockSize`` blocks. A block returns to the kernel when the
/// source has returned all its packets. When every block is still being read, the kernel drops
/// packets (counted in ``CaptureStatistics/packetsDropped``).
public struct AFPacketConfiguration: Hashable, Sendable {
    /// The interface to capture on, e.g. `"eth0"`. Ethernet and loopback interfaces only.
    public var interface: String

    /// Bytes of the ring, a multiple of ``blockSize`` of at least two blocks and below 4 GiB.
    /// Default 64 MiB: 32 times libpcap's 2 MiB default, which is about half a second of a
    /// saturated 1 Gbit/s link and enough to ride out a capture thread that is descheduled or
    /// busy for tens of milliseconds at 10 Gbit/s. The kernel allocates it up front, per source.
    public var ringSize = 64 << 20

    /// Bytes of a block, a multiple of the page size. Default 1 MiB (as Stenographer): a whole
    /// block is handed over with one status change, so large blocks make the per-packet cost of
    /// the hand-over negligible, and a packet cut at the block's end needs a block smaller than
    /// the packet. Powers of two waste nothing; the kernel allocates 2ⁿ pages per block.
    public var blockSize = 1 << 20

    /// Bytes of a nominal frame, a multiple of 16 of at least the TPACKET_V3 header (68 bytes)
    /// and at most ``blockSize``. TPACKET_V3 packs packets of any length into a block, so this only
    /// sets the frame count the kernel checks (`tp_frame_size`, `tp_frame_nr`). Default 2048.
    public var frameSize = 2048

    /// Milliseconds after which the kernel hands over a block that is not full yet, so that a
    /// quiet link still delivers its packets, 1…10 000. Default 100: on a quiet link a packet is
    /// returned about 200 ms at most after it arrived (the kernel closes a block at the second
    /// timer expiry that finds it unchanged), well within the one second a stored packet may take
    /// to be queryable.
    public var blockTimeoutMilliseconds = 100

    /// Bytes kept of each packet, 1…``LiveCapture/maximumSnapLength``; the rest is cut (the
    /// original length is kept). Default ``LiveCapture/maximumSnapLength`` (256 KiB): whole
    /// packets. A re-inserted VLAN tag counts towards it.
    public var snapLength = LiveCapture.maximumSnapLength

    /// Whether to put the interface in promiscuous mode (`PACKET_MR_PROMISC`) while the source is
    /// open, so that frames for other hosts are seen. Default `true`.
    public var promiscuous = true

    /// A capture filter in tcpdump's syntax, run by the kernel on the socket; `nil` keeps every
    /// packet. Default `nil`. It is compiled for Ethernet (as `tcpdump -d` would without an
    /// interface), so the kernel runs it on the frame without its outer VLAN tag, which the kernel
    /// has already taken out: `vlan 10` does not see that tag, `port 80` matches tagged traffic
    /// too. (``PcapLiveSource`` compiles for the open interface, where libpcap handles this.)
    public var filter: String?

    /// The `PACKET_FANOUT` group to join, or `nil` for none. Sources on the same interface in one
    /// network namespace with the same group share its packets, each flow (by a symmetric hash of
    /// addresses and ports) to one source; IP fragments are reassembled by the kernel before
    /// hashing (`PACKET_FANOUT_FLAG_DEFRAG`), so such a source receives whole datagrams instead
    /// of fragments. Default `nil`.
    public var fanoutGroup: UInt16?

    /// A configuration for `interface` with every other property at its default.
    public init(interface: String) {
        self.interface = interface
    }

    /// Checks every property against the limits above, as the kernel would, before anything is
    /// opened.
    ///
    /// - Throws: ``CaptureError/invalidConfiguration(reason:)`` naming the first bad property.
    public func validate() throws(CaptureError) {
        try LiveCapture.validate(interface: interface, snapLength: snapLength,
                                 blockTimeoutMilliseconds: blockTimeoutMilliseconds)
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        if blockSize <= 0 || blockSize % pageSize != 0 {
            throw .invalidConfiguration(reason: "block size \(blockSize) must be a positive multiple of the page size \(pageSize)")
        }
        let headerLength = Int(tapedeck_tpacket3_hdrlen())
        if frameSize < headerLength || frameSize % Int(TPACKET_ALIGNMENT) != 0 || frameSize > blockSize {
            throw .invalidConfiguration(reason: "frame size \(frameSize) must be a multiple of \(TPACKET_ALIGNMENT)"
                + " from \(headerLength) to the block size \(blockSize)")
        }
        if ringSize % blockSize != 0 || ringSize / blockSize < 2 || ringSize > Int(UInt32.max) {
            throw .invalidConfiguration(reason: "ring size \(ringSize) must be a multiple of the block size \(blockSize),"
                + " at least two blocks (one for the kernel to fill while the other is read), and below 4 GiB")
        }
    }

    /// Blocks in the ring.
    var blockCount: Int { ringSize / blockSize }
}
