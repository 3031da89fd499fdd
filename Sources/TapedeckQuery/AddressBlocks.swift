import TapedeckCore

/// Conversions between address ranges and CIDR blocks, for printing ranges as `net A/N`.
enum AddressBlocks {
    /// A CIDR block: a network address (host bits zero) and a prefix length.
    struct Block: Hashable {
        var network: IPAddress
        var length: Int
    }

    /// The prefix length `N` for which `range` is exactly `range.lowerBound.prefixRange(length: N)`,
    /// or nil when `range` is not one CIDR block.
    static func prefixLength(of range: ClosedRange<IPAddress>) -> Int? {
        let lower = range.lowerBound, upper = range.upperBound
        guard lower.isIPv6 == upper.isIPv6 else { return nil }
        let difference = Bits(high: lower.high ^ upper.high, low: lower.low ^ upper.low)
        let hostBits = difference.nonzeroBitCount
        guard difference == Bits.ones(hostBits), (Bits(lower) & difference).isZero else { return nil }
        return lower.bitWidth - hostBits
    }

    /// The fewest CIDR blocks whose union is exactly `range`, in ascending order. A range that
    /// spans both families splits at the end of the IPv4 space.
    static func blocks(covering range: ClosedRange<IPAddress>) -> [Block] {
        let lower = range.lowerBound, upper = range.upperBound
        guard !lower.isIPv6, upper.isIPv6 else { return blocks(from: lower, through: upper) }
        return blocks(from: lower, through: IPAddress(ipv4: .max))
            + blocks(from: IPAddress(ipv6High: 0, low: 0), through: upper)
    }

    /// Blocks for a range within one family.
    private static func blocks(from lower: IPAddress, through upper: IPAddress) -> [Block] {
        let width = lower.bitWidth
        let end = Bits(upper)
        var start = Bits(lower)
        var result: [Block] = []
        while true {
            var hostBits = min(start.trailingZeroBitCount, width)
            while hostBits > 0, start | Bits.ones(hostBits) > end { hostBits -= 1 }
            let last = start | Bits.ones(hostBits)
            result.append(Block(network: start.address(isIPv6: lower.isIPv6), length: width - hostBits))
            if last >= end { return result }
            start = last.incremented()
        }
    }

    /// A 128-bit unsigned value as two halves (IPv4 addresses use the low 32 bits).
    private struct Bits: Comparable {
        var high: UInt64
        var low: UInt64

        init(high: UInt64, low: UInt64) {
            self.high = high
            self.low = low
        }

        init(_ address: IPAddress) {
            self.init(high: address.high, low: address.low)
        }

        /// The value with the lowest `count` bits set.
        static func ones(_ count: Int) -> Bits {
            func lowOnes(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? .max : (1 << UInt64(bits)) - 1 }
            return Bits(high: lowOnes(count - 64), low: lowOnes(count))
        }

        var isZero: Bool { high == 0 && low == 0 }
        var nonzeroBitCount: Int { high.nonzeroBitCount + low.nonzeroBitCount }
        var trailingZeroBitCount: Int { low != 0 ? low.trailingZeroBitCount : 64 + high.trailingZeroBitCount }

        func incremented() -> Bits {
            low == .max ? Bits(high: high &+ 1, low: 0) : Bits(high: high, low: low + 1)
        }

        func address(isIPv6: Bool) -> IPAddress {
            isIPv6 ? IPAddress(ipv6High: high, low: low) : IPAddress(ipv4: UInt32(truncatingIfNeeded: low))
        }

        static func | (lhs: Bits, rhs: Bits) -> Bits { Bits(high: lhs.high | rhs.high, low: lhs.low | rhs.low) }
        static func & (lhs: Bits, rhs: Bits) -> Bits { Bits(high: lhs.high & rhs.high, low: lhs.low & rhs.low) }
        static func < (lhs: Bits, rhs: Bits) -> Bool { (lhs.high, lhs.low) < (rhs.high, rhs.low) }
    }
}
