/// The timestamp resolution of a written capture file.
///
/// Conversion rules, the same for pcap and pcapng: a time is truncated toward the earlier time
/// (floor) to the resolution, so 1.9999999 s is written as 1.999999 s in microseconds and a
/// time-ordered stream stays time-ordered. Times the format cannot hold are clamped: anything
/// before the Unix epoch is written as the epoch (1970-01-01T00:00:00Z), and classic pcap times
/// after its 32-bit seconds field (2106-02-07T06:28:15Z) as its last representable instant.
public enum TimestampPrecision: Sendable, Hashable {
    /// Nanoseconds: pcap magic 0xa1b23c4d, pcapng `if_tsresol` 9.
    case nanoseconds
    /// Microseconds: pcap magic 0xa1b2c3d4, pcapng `if_tsresol` 6.
    case microseconds

    /// Timestamp units per second: 1 000 000 000 or 1 000 000.
    @inlinable
    public var unitsPerSecond: Int64 {
        switch self {
        case .nanoseconds: 1_000_000_000
        case .microseconds: 1_000_000
        }
    }

    /// The classic pcap magic number for this resolution.
    var pcapMagic: UInt32 {
        switch self {
        case .nanoseconds: 0xA1B2_3C4D
        case .microseconds: 0xA1B2_C3D4
        }
    }

    /// The pcapng `if_tsresol` option value (a power of ten).
    var pcapngResolution: UInt8 {
        switch self {
        case .nanoseconds: 9
        case .microseconds: 6
        }
    }

    /// Nanoseconds per unit: 1 or 1 000.
    @usableFromInline
    var nanosecondsPerUnit: Int64 {
        switch self {
        case .nanoseconds: 1
        case .microseconds: 1_000
        }
    }

    /// `time` as classic pcap's seconds and sub-second units (see the type's conversion rules).
    @inlinable
    public func pcapTime(_ time: Timestamp) -> (seconds: UInt32, fraction: UInt32) {
        guard time.nanoseconds >= 0 else { return (0, 0) }
        let seconds = time.nanoseconds / 1_000_000_000
        guard seconds <= Int64(UInt32.max) else { return (.max, UInt32(unitsPerSecond - 1)) }
        let fraction = time.nanoseconds % 1_000_000_000 / nanosecondsPerUnit
        return (UInt32(seconds), UInt32(fraction))
    }

    /// `time` as pcapng's 64-bit count of units since the epoch (see the type's conversion rules).
    @inline(__always)
    func pcapngTime(_ time: Timestamp) -> UInt64 {
        guard time.nanoseconds >= 0 else { return 0 }
        return UInt64(time.nanoseconds / nanosecondsPerUnit)
    }
}
