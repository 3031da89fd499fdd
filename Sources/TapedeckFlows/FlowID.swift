import TapedeckCore

/// The identity of one flow, stable across processes and replays: the Kafka message key.
///
/// It is FNV-1a 64 continued from ``TapedeckCore/FlowKey/stableHash`` (the canonical 5-tuple)
/// over the 8 bytes of the flow's first packet time (nanoseconds since the epoch, a two's
/// complement `Int64`, least significant byte first). Both directions of a flow have the same id;
/// a later connection on the same 5-tuple has another first-packet time and so another id.
/// Replaying the same packets gives the same ids.
public struct FlowID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 64-bit id.
    public var rawValue: UInt64

    /// Wraps a 64-bit id.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// The id of the flow with canonical key `key` whose first packet was captured at `firstPacket`.
    public init(key: FlowKey, firstPacket: Timestamp) {
        var hash = key.stableHash
        let time = UInt64(bitPattern: firstPacket.nanoseconds)
        for shift in stride(from: 0 as UInt64, to: 64, by: 8) {
            hash = (hash ^ (time >> shift & 0xFF)) &* 0x0000_0100_0000_01B3
        }
        rawValue = hash
    }

    /// Sixteen lower-case hex digits, zero-padded (the Kafka key's text form).
    public var description: String {
        let digits = String(rawValue, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
