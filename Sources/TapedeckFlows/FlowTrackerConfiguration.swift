/// Timeouts and limits of a ``FlowTracker``. Every property documents its default.
///
/// Timeouts are measured in packet time (the capture timestamps, and the times given to
/// ``FlowTracker/advanceTime(to:into:)``), never the wall clock, so that replaying a capture
/// gives the same flows every time. A flow is closed once it has been idle for *longer* than its
/// timeout.
public struct FlowTrackerConfiguration: Sendable, Hashable {
    /// Idle timeout of a TCP connection that has not ended (including half-closed connections and
    /// connections that are only a SYN). Default 300 s.
    public var tcpEstablishedTimeout: Duration = .seconds(300)
    /// Idle timeout of a TCP connection in which both sides sent a FIN but the last FIN was not
    /// seen acknowledged; it then closes as ``CloseReason/fin``. Default 10 s.
    public var tcpClosingTimeout: Duration = .seconds(10)
    /// How long a TCP connection that ended (RST, or both FINs acknowledged) stays in the table
    /// to collect stragglers (retransmissions, duplicate RSTs) before it is emitted. A SYN that
    /// opens a new connection on the same 5-tuple ends the linger at once. Default 2 s.
    public var tcpClosedLinger: Duration = .seconds(2)
    /// Idle timeout of UDP flows. Default 60 s.
    public var udpTimeout: Duration = .seconds(60)
    /// Idle timeout of other flows (ICMP, ICMPv6, SCTP, ESP, GRE, …). Default 30 s.
    public var otherTimeout: Duration = .seconds(30)

    /// The most memory the tracker may hold, in bytes: kept packets, reassembly buffers and a
    /// per-flow overhead. Beyond it the least recently active flows are emitted as
    /// ``CloseReason/evicted``. (The flow table's slots and index keep the size of the most flows
    /// held at once, which the per-flow overhead counted while they were held.) Default 256 MiB.
    public var memoryLimit = 256 << 20
    /// The most flows in the table at once; a new flow beyond it evicts the least recently active
    /// one. Default 1 000 000.
    public var maximumFlows = 1_000_000

    /// How long a flow may keep packets buffered without a new packet: then they are emitted as
    /// a chunk (not the final one), so that a quiet flow neither holds memory nor keeps its
    /// packets from consumers until it times out. The flow goes on; its final chunk may then
    /// have no packets. Default 10 s.
    public var idleChunkTimeout: Duration = .seconds(10)

    /// The largest chunk, as the size of its pcap file (header and records), in bytes: the flow's
    /// buffered packets are emitted as a chunk before the next packet would make it bigger.
    /// Default 900 KiB, below Kafka's default 1 MB message limit.
    public var maximumChunkBytes = 900 << 10

    /// Whether TCP payload is reassembled into ``StreamSegment``s. Without it the tracker still
    /// follows TCP state (SYN, FIN, RST) for chunking and close reasons. Default true.
    public var reassemblesStreams = true
    /// The largest ``StreamSegment/bytes``, in bytes. Default 900 KiB.
    public var maximumStreamSegmentBytes = 900 << 10
    /// The most out-of-order payload bytes buffered per direction of a flow while waiting for a
    /// hole to be filled; beyond it the hole is declared a gap. Default 1 MiB.
    public var maximumOutOfOrderBytes = 1 << 20
    /// The most out-of-order segments buffered per direction of a flow (bounds the work a stream
    /// of tiny segments can cause); beyond it the hole is declared a gap. Default 2048.
    public var maximumOutOfOrderSegments = 2048

    /// The defaults.
    public init() {}
}

extension Duration {
    /// The duration in whole nanoseconds, saturating at `Int64.max`.
    var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled.addingReportingOverflow(attoseconds / 1_000_000_000).overflow ? .max : scaled + attoseconds / 1_000_000_000
    }
}
