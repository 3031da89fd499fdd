/// A place in a store read as a log: the packets of the segments in id order, each segment's in
/// stored order. Packet `packet` of segment `segment` (from 0); `packet` may equal the segment's
/// packet count (the end of the segment).
public struct StoreLogPosition: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The segment id.
    public var segment: UInt64
    /// The ordinal of the packet within the segment.
    public var packet: UInt64

    /// The position of packet `packet` of segment `segment`.
    public init(segment: UInt64, packet: UInt64) {
        self.segment = segment
        self.packet = packet
    }

    /// The start of the log: the first packet of the oldest segment there is.
    public static let start = StoreLogPosition(segment: 0, packet: 0)

    /// The position as one number, ordered like positions: the segment id in the high 24 bits,
    /// the packet ordinal in the low 40 (ids and ordinals beyond those widths do not occur: a
    /// segment is at most 1 TiB).
    public var ordinal: UInt64 { segment << 40 | packet & (1 << 40 - 1) }

    /// The position of `ordinal`.
    public init(ordinal: UInt64) {
        self.init(segment: ordinal >> 40, packet: ordinal & (1 << 40 - 1))
    }

    public static func < (lhs: StoreLogPosition, rhs: StoreLogPosition) -> Bool {
        (lhs.segment, lhs.packet) < (rhs.segment, rhs.packet)
    }

    public var description: String { "segment \(segment) packet \(packet)" }
}
