import TapedeckCore

/// A run of one flow's packets, in capture order: what the publisher sends as one Kafka message
/// (key ``flowID``, value ``pcapBytes()``, the other properties as headers).
///
/// ## Contract
/// - Every packet that has an IP 5-tuple is in exactly one chunk, of the flow of its 5-tuple,
///   in capture order within that flow (packets without one, such as ARP, belong to no flow and
///   are only counted in ``FlowTrackerStatistics/packetsWithoutFlow``).
/// - A flow's chunks have indexes 0, 1, 2, … without holes and are handed to the sink in that
///   order; the last one has ``isFinal`` set and a ``closeReason``, the others neither.
///   A consumer can deduplicate by (``flowID``, ``index``).
/// - A chunk ends when the next packet would make it too big, when the flow has been quiet for
///   ``FlowTrackerConfiguration/idleChunkTimeout``, or when the flow ends. Every chunk has packets
///   except possibly the final one, when the flow's packets had all been emitted before it ended
///   (its timestamps are then those of the flow's last packet).
/// - ``pcapByteCount`` (the size of ``pcapBytes()``) stays at or below
///   ``FlowTrackerConfiguration/maximumChunkBytes``; only a single packet bigger than that makes
///   a chunk of its own that exceeds it. A chunk also ends where the link type changes, so all its
///   packets fit one pcap file.
/// - The stream segments of the flow that carry ``StreamSegment/chunkIndex`` `k` reach the sink
///   before chunk `k`.
public struct FlowChunk: Sendable {
    /// The flow's id (the Kafka key).
    public var flowID: FlowID
    /// The flow's 5-tuple oriented from client to server: the client is the side that sent the
    /// first SYN (or received the first SYN-ACK), otherwise the sender of the flow's first packet.
    public var key: FiveTuple
    /// Position of this chunk in its flow, from 0.
    public var index: UInt32
    /// Whether this is the flow's last chunk.
    public var isFinal: Bool
    /// Why the flow ended; set exactly on the final chunk.
    public var closeReason: CloseReason?
    /// Capture time of the flow's first packet (part of the flow id).
    public var flowStart: Timestamp
    /// The earliest capture time among this chunk's packets.
    public var firstTimestamp: Timestamp
    /// The latest capture time among this chunk's packets (for a final chunk without packets,
    /// both are the latest time of the flow's last chunk).
    public var lastTimestamp: Timestamp
    /// The packets, in capture order.
    public var packets: FlowPackets
    /// Packets of the flow in this chunk and all earlier ones.
    public var flowPacketCount: Int
    /// Captured bytes of the flow in this chunk and all earlier ones.
    public var flowCapturedByteCount: Int

    /// Number of packets in this chunk.
    public var packetCount: Int { packets.count }

    /// Captured bytes of this chunk's packets (link-layer headers included, record headers not).
    public var capturedByteCount: Int { packets.capturedByteCount }

    /// Size of ``pcapBytes()``: the 24-byte file header plus a 16-byte header and the captured
    /// bytes per packet.
    public var pcapByteCount: Int { FlowPackets.pcapHeaderSize + packets.storageByteCount }

    /// Wire bytes of this chunk's packets: their original lengths (each at least the captured one).
    public var originalByteCount: Int { packets.originalByteCount }

    /// The snap length in the header of ``pcapBytes()`` (unless a packet is longer): libpcap's
    /// largest.
    static let snapLength: UInt32 = 262_144

    /// The chunk's packets as a classic pcap file with nanosecond times (magic `0xa1b23c4d`) and
    /// snap length ``snapLength`` (or the longest packet's length); `tshark -r -` and `tcpdump -r -`
    /// read it. The bytes are the same as ``TapedeckCore/PcapWriter`` writes for the packets. A
    /// chunk whose packets fit one page (at least half full) is its own pcap file: that page,
    /// shared, not copied.
    public func pcapBytes() -> [UInt8] {
        packets.pcapBytes(snapLength: Self.snapLength)
    }
}
