/// TCP sequence-number comparisons in 32-bit modular arithmetic (RFC 793 §3.3, RFC 1982): `a` is
/// after `b` when it lies less than 2³¹ ahead of it, so comparisons survive the wrap from
/// 2³² − 1 to 0.
enum SequenceNumber {
    /// The signed distance from `b` to `a`: positive when `a` is after `b`.
    @inline(__always)
    static func distance(from b: UInt32, to a: UInt32) -> Int64 {
        Int64(Int32(bitPattern: a &- b))
    }

    /// Whether `a` is after `b`.
    @inline(__always)
    static func isAfter(_ a: UInt32, _ b: UInt32) -> Bool {
        Int32(bitPattern: a &- b) > 0
    }

    /// Whether `a` is `b` or after it.
    @inline(__always)
    static func isAtOrAfter(_ a: UInt32, _ b: UInt32) -> Bool {
        Int32(bitPattern: a &- b) >= 0
    }
}
