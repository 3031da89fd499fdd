import TapedeckCore

/// Turns a stream of captured packets into flows: bidirectional flow table, TCP state, TCP
/// reassembly, timeouts and a memory limit. Output goes to a ``FlowEventSink`` as ``FlowChunk``s
/// (the packets, for the flows topic) and ``StreamSegment``s (the reassembled payload).
///
/// ## Flows
/// A flow is all packets with the same IP protocol, addresses and ports in either direction
/// (``TapedeckCore/FlowKey``), IPv4 or IPv6; packets without an IP 5-tuple (ARP, …) belong to
/// none. IP fragments are not reassembled: a first fragment joins its ports' flow, later
/// fragments (no ports) form a flow with ports 0, and TCP payload carried in fragments shows as a
/// gap. The client is the side that sent the SYN (or received the SYN-ACK), otherwise the sender
/// of the flow's first packet. The flow id is ``FlowID``: the canonical 5-tuple's stable hash
/// and the first packet's time.
///
/// ## How flows end
/// - TCP, ``CloseReason/rst``: a RST from either side; ``CloseReason/fin``: a FIN from both sides,
///   the last one acknowledged. The flow then lingers for
///   ``FlowTrackerConfiguration/tcpClosedLinger`` to collect stragglers before it is emitted.
///   Both FINs without the final ACK close as `fin` after ``FlowTrackerConfiguration/tcpClosingTimeout``.
/// - A SYN (without ACK) whose sequence number differs from the initial one of its direction
///   starts a new connection: the old flow is emitted at once (as `fin` or `rst` if it had ended,
///   otherwise as ``CloseReason/idle``) and the SYN opens a new flow.
/// - ``CloseReason/idle``: no packet for the flow's timeout (TCP 300 s, UDP 60 s, other 30 s).
///   Time is packet time: the latest capture timestamp seen (it never goes backwards), or
///   ``advanceTime(to:into:)`` when the capture is quiet; replaying a capture gives the same flows.
/// - ``CloseReason/evicted``: after a packet, while the memory accounted exceeds
///   ``FlowTrackerConfiguration/memoryLimit`` (kept packets, reassembly buffers and
///   ``memoryCostPerFlow`` per flow), the least recently active flow is emitted; the same happens
///   before a new flow would exceed ``FlowTrackerConfiguration/maximumFlows``. A SYN flood thus
///   costs a bounded amount of memory. A later packet of an evicted flow starts a new flow.
/// - ``CloseReason/shutdown``: ``flushAll(reason:into:)``.
///
/// ## Chunks
/// Each flow buffers copies of its packets; before a packet would take the buffer past
/// ``FlowTrackerConfiguration/maximumChunkBytes`` (as a pcap file), and when the flow has had no
/// packet for ``FlowTrackerConfiguration/idleChunkTimeout``, the buffer is emitted as a chunk and
/// a new one started. The flow's last chunk is emitted when it ends. See ``FlowChunk``.
///
/// ## Reassembly
/// Per TCP direction: sequence numbers relative to the origin (the SYN's number + 1, or the first
/// sequence number seen when the capture joined mid-stream, moved past a first packet that was a
/// keep-alive probe) in 32-bit modular arithmetic; out-of-order segments are buffered (at most
/// ``FlowTrackerConfiguration/maximumOutOfOrderBytes`` and
/// ``FlowTrackerConfiguration/maximumOutOfOrderSegments`` per direction); a segment more than
/// 1 GiB ahead of the stream is ignored as garbage.
///
/// Overlap policy, the same as `tshark -z follow,tcp`: bytes once delivered are final
/// (retransmissions, overlaps, keep-alives and repeated zero-window probes add only what lies
/// beyond the stream's end: first copy wins); when the stream can grow, the segment that covers
/// its end supplies all its remaining bytes, and of several such segments the one that arrived
/// first. Payload is `payloadOffset..<networkEnd` (Ethernet padding excluded); SYN and FIN take
/// one sequence number each; payload of a RST counts like any other.
///
/// Gaps: a hole becomes a gap (``StreamSegment/missingBefore``) when the other side acknowledges
/// data past it (as tshark does), when the out-of-order buffer overflows, or when the flow ends
/// (then also the bytes between the stream's end and a FIN); what comes after the gap is
/// delivered, and bytes that arrive later for it are dropped. Bytes a capture cut off (snap
/// length) are gaps too.
///
/// Where this differs from tshark's follow (checked by the oracle tests): tshark never delivers
/// out-of-order data that nothing acknowledged, so its stream stops at such a hole, while the
/// tracker delivers the rest after a gap when the flow ends; and tshark takes a keep-alive probe
/// that opens a mid-stream capture as the origin, reporting one missing byte at offset 0.
///
/// ## Threads
/// Not `Sendable`: one thread feeds a tracker; events reach the sink on that thread.
public final class FlowTracker {
    /// The flow table and everything else, in one struct the tracker owns through a pointer: the
    /// per-packet path then pays no runtime exclusivity check (a stored `var` of a class costs
    /// one per access), which is safe because a tracker is used by one thread at a time and its
    /// methods never call each other.
    private let engine: UnsafeMutablePointer<FlowEngine>

    /// A tracker with no flows.
    public init(configuration: FlowTrackerConfiguration = FlowTrackerConfiguration()) {
        engine = .allocate(capacity: 1)
        engine.initialize(to: FlowEngine(configuration: configuration))
    }

    deinit {
        engine.deinitialize(count: 1)
        engine.deallocate()
    }

    /// The timeouts and limits.
    public var configuration: FlowTrackerConfiguration { engine.pointee.configuration }

    /// Counters, and the flows and memory held now.
    public var statistics: FlowTrackerStatistics { engine.pointee.statistics }

    /// Memory accounted per flow besides its buffers (the flow's state and index entry), bytes.
    public static var memoryCostPerFlow: Int { FlowState.fixedCost }

    /// Adds one packet: it joins (or starts) its flow, and whatever it completes or times out
    /// goes to `sink` before the call returns. The record's bytes are copied; the record need not
    /// outlive the call. `origin` is the caller's position of the packet (such as its place in the
    /// store); a flow keeps the origin of its first packet, and ``openFlows`` reports it.
    public func process(_ record: PacketRecord, origin: UInt64 = 0, into sink: inout some FlowEventSink) {
        engine.pointee.process(record, origin: origin, into: &sink)
    }

    /// The flows in the table now, with what a publisher needs to rebuild them after a restart:
    /// key, id, first packet time and origin, and the index of the chunk being filled (every
    /// chunk before it has been emitted). In no particular order.
    public var openFlows: [OpenFlow] { engine.pointee.openFlows }

    /// The key of the flow `record` belongs to, or nil for a packet that joins no flow (no IP
    /// protocol, such as ARP).
    public static func flowKey(of record: PacketRecord) -> FlowKey? {
        let decoded = PacketDecoder.decode(record.bytes, linkType: record.linkType)
        guard decoded.network != .none, decoded.hasIPProtocol else { return nil }
        return FlowKey(FlowEngine.tuple(of: decoded))
    }

    /// Moves packet time forward to `time` without a packet, closing the flows that became idle
    /// (for a live capture in a quiet moment). Earlier times are ignored.
    public func advanceTime(to time: Timestamp, into sink: inout some FlowEventSink) {
        engine.pointee.advanceClock(to: time.nanoseconds, into: &sink)
    }

    /// Emits every flow as ended and empties the table: flows whose TCP connection had ended
    /// keep their reason (``CloseReason/fin`` also when only the final ACK was missing); all
    /// others close with `reason`.
    public func flushAll(reason: CloseReason = .shutdown, into sink: inout some FlowEventSink) {
        engine.pointee.flushAll(reason: reason, into: &sink)
    }
}

@available(*, unavailable, message: "a tracker and its sink belong to one thread at a time")
extension FlowTracker: Sendable {}
