/// Counters of a live capture, cumulative since the source was opened.
///
/// The kernel's counters count packets that passed the capture filter: ``packetsReceived`` is
/// every such packet, ``packetsDropped`` the part of them that found the ring (or libpcap's
/// buffer) full, and the rest was, or is still waiting to be, returned by `next`.
public struct CaptureStatistics: Hashable, Sendable {
    /// Packets that passed the filter, including the dropped ones (`tp_packets` of
    /// `PACKET_STATISTICS`; `ps_recv` of `pcap_stats`).
    public var packetsReceived: UInt64 = 0
    /// Packets the kernel dropped because the ring was full (`tp_drops`; `ps_drop`).
    public var packetsDropped: UInt64 = 0
    /// Packets returned by `next`.
    public var packetsDelivered: UInt64 = 0
    /// Times the kernel found every block of the ring still in use and stopped filling it until
    /// one was returned (`tp_freeze_q_cnt`): each is a burst of drops. AF_PACKET only; 0 for libpcap.
    public var ringFullEvents: UInt64 = 0
    /// Blocks the kernel handed over because they were full. AF_PACKET only; 0 for libpcap.
    public var blocksFull: UInt64 = 0
    /// Blocks the kernel handed over partly filled because the block timeout passed
    /// (`TP_STATUS_BLK_TMO`): a quiet link. AF_PACKET only; 0 for libpcap.
    public var blocksTimedOut: UInt64 = 0

    /// All zero.
    public init() {}
}
