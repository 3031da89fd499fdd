import TapedeckCore

/// A piece of one direction of a TCP flow's reassembled payload: what the publisher sends to the
/// streams topic.
///
/// ## Contract
/// - Offsets count payload bytes from the start of the direction's stream: offset 0 is the byte
///   after the SYN when the SYN was seen (``startsAtConnectionStart``), otherwise the first
///   sequence number seen in that direction. They are 64-bit, so streams beyond 4 GiB and
///   sequence-number wrap-around need no care.
/// - A direction's segments are handed over in order and tile its stream: a segment covers
///   `offset - missingBefore ..< offset + bytes.count`, and the next segment starts where this one
///   ends. ``missingBefore`` > 0 is a gap: bytes that were never captured (the receiver
///   acknowledged them, the capture ended before them, or the out-of-order buffer overflowed).
///   ``bytes`` itself has no gap in it.
/// - The bytes are the payload as the receiver would see it (see ``FlowTracker`` for the overlap
///   policy). Each segment's ``bytes`` stays at or below
///   ``FlowTrackerConfiguration/maximumStreamSegmentBytes``.
/// - Only directions that carried payload (or a gap) have segments; such a direction's last
///   segment has ``isFinal`` and the flow's ``closeReason`` (it may be empty).
/// - ``chunkIndex`` is the flow chunk that was being filled when the segment was cut: the chunk
///   that holds the packet that completed its last byte. Segments reach the sink before that chunk.
public struct StreamSegment: Sendable {
    /// The flow's id.
    public var flowID: FlowID
    /// The flow's 5-tuple from client to server (as in ``FlowChunk/key``).
    public var key: FiveTuple
    /// Which direction's payload this is.
    public var direction: FlowDirection
    /// Position of this segment among the direction's segments, from 0.
    public var index: UInt32
    /// The flow chunk this segment goes with.
    public var chunkIndex: UInt32
    /// Stream offset of the first byte of ``bytes``.
    public var offset: UInt64
    /// Bytes missing from the capture right before ``offset`` (0: none).
    public var missingBefore: UInt64
    /// The payload, contiguous.
    public var bytes: [UInt8]
    /// Whether offset 0 is the first byte after the SYN (true) or the first sequence number the
    /// capture saw in this direction because it joined the connection mid-stream (false).
    public var startsAtConnectionStart: Bool
    /// Whether this is the direction's last segment.
    public var isFinal: Bool
    /// Why the flow ended; set exactly on final segments.
    public var closeReason: CloseReason?

    /// Stream offset just past this segment; the next segment of the direction starts here.
    public var endOffset: UInt64 { offset + UInt64(bytes.count) }
}
