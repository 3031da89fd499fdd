/// An IPv4 or IPv6 address held inline (no allocation), ordered so that a CIDR prefix is a
/// contiguous range: all IPv4 addresses sort before all IPv6 addresses, each family numerically.
public struct IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The upper 64 bits of an IPv6 address; zero for IPv4.
    public var high: UInt64
    /// The lower 64 bits of an IPv6 address, or the IPv4 address in the low 32 bits.
    public var low: UInt64
    /// Whether this is an IPv6 address.
    public var isIPv6: Bool

    /// An IPv4 address from its 32-bit value in host order (`0x0A000001` is 10.0.0.1).
    @inlinable
    public init(ipv4 value: UInt32) {
        high = 0
        low = UInt64(value)
        isIPv6 = false
    }

    /// An IPv6 address from its two 64-bit halves in host order.
    @inlinable
    public init(ipv6High high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
        isIPv6 = true
    }

    /// The IPv4 value, if this is an IPv4 address.
    public var ipv4Value: UInt32? { isIPv6 ? nil : UInt32(truncatingIfNeeded: low) }

    /// Address length in bits: 32 or 128.
    public var bitWidth: Int { isIPv6 ? 128 : 32 }

    /// Address order: every IPv4 address before every IPv6 address, each family numerically.
    @inlinable
    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        if lhs.isIPv6 != rhs.isIPv6 { return !lhs.isIPv6 }
        if lhs.high != rhs.high { return lhs.high < rhs.high }
        return lhs.low < rhs.low
    }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (including `::` compression, fully
    /// expanded groups and an embedded dotted-quad tail). Returns nil for anything else.
    public init?(_ text: Substring) {
        if text.contains(":") {
            guard let parsed = IPAddress.parseIPv6(text) else { return nil }
            self = parsed
        } else {
            guard let value = IPAddress.parseIPv4(text) else { return nil }
            self.init(ipv4: value)
        }
    }

    /// Parses IPv4 or IPv6 text; see ``init(_:)-(Substring)``.
    public init?(_ text: String) {
        self.init(Substring(text))
    }

    static func parseIPv4(_ text: Substring) -> UInt32? {
        var value: UInt32 = 0
        var parts = 0
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let octet = UInt32(part), octet <= 255 else { return nil }
            value = value << 8 | octet
            parts += 1
        }
        return parts == 4 ? value : nil
    }

    static func parseIPv6(_ text: Substring) -> IPAddress? {
        var groups: [UInt16] = []
        var compressionIndex: Int?
        let halves = text.components(separatedByDoubleColon: ())
        guard halves.count <= 2 else { return nil }
        for (halfIndex, half) in halves.enumerated() {
            if halfIndex == 1 { compressionIndex = groups.count }
            if half.isEmpty { continue }
            let pieces = half.split(separator: ":", omittingEmptySubsequences: false)
            for (pieceIndex, piece) in pieces.enumerated() {
                if pieceIndex == pieces.count - 1, halfIndex == halves.count - 1, piece.contains(".") {
                    guard let v4 = parseIPv4(piece) else { return nil }
                    groups.append(UInt16(v4 >> 16))
                    groups.append(UInt16(v4 & 0xFFFF))
                    continue
                }
                guard !piece.isEmpty, piece.count <= 4, piece.allSatisfy({ $0.isASCII && $0.isHexDigit }),
                      let group = UInt16(piece, radix: 16) else { return nil }
                groups.append(group)
            }
        }
        if let at = compressionIndex {
            guard groups.count < 8 else { return nil }
            groups.insert(contentsOf: repeatElement(0, count: 8 - groups.count), at: at)
        }
        guard groups.count == 8 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<4 { high = high << 16 | UInt64(groups[index]) }
        for index in 4..<8 { low = low << 16 | UInt64(groups[index]) }
        return IPAddress(ipv6High: high, low: low)
    }

    /// The lowest and highest address that share the first `prefixLength` bits with this one.
    public func prefixRange(length prefixLength: Int) -> ClosedRange<IPAddress> {
        let width = bitWidth
        let length = max(0, min(prefixLength, width))
        if !isIPv6 {
            let mask: UInt64 = length == 0 ? 0 : (0xFFFF_FFFF << UInt64(32 - length)) & 0xFFFF_FFFF
            return IPAddress(ipv4: UInt32(low & mask))...IPAddress(ipv4: UInt32(low & mask | ~mask & 0xFFFF_FFFF))
        }
        func mask(bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? .max : ~(UInt64.max >> UInt64(bits)) }
        let highMask = mask(bits: length)
        let lowMask = mask(bits: length - 64)
        return IPAddress(ipv6High: high & highMask, low: low & lowMask)
            ... IPAddress(ipv6High: high | ~highMask, low: low | ~lowMask)
    }

    /// Dotted quad for IPv4; RFC 5952 text (lower case, longest zero run compressed) for IPv6,
    /// with IPv4-mapped addresses as `::ffff:1.2.3.4` (RFC 5952 §5, as `inet_ntop` and tshark do).
    public var description: String {
        if !isIPv6 || isIPv4Mapped {
            return String(ascii: Self.maximumDescriptionLength) { $0.write(self) }
        }
        let groups = (0..<8).map { index -> UInt16 in
            let half = index < 4 ? high : low
            return UInt16(truncatingIfNeeded: half >> UInt64((3 - index % 4) * 16))
        }
        var bestStart = -1, bestLength = 0, runStart = -1
        for index in 0...8 {
            if index < 8, groups[index] == 0 {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                if index - runStart > bestLength, index - runStart >= 2 { bestStart = runStart; bestLength = index - runStart }
                runStart = -1
            }
        }
        var text = ""
        var index = 0
        while index < 8 {
            if index == bestStart {
                text += "::"
                index += bestLength
                continue
            }
            if !text.isEmpty, !text.hasSuffix(":") { text += ":" }
            text += String(groups[index], radix: 16)
            index += 1
        }
        return text
    }

    /// The longest ``description``: eight groups of four hex digits and seven colons.
    public static let maximumDescriptionLength = 39

    /// Whether this is an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`).
    fileprivate var isIPv4Mapped: Bool { isIPv6 && high == 0 && low >> 32 == 0xFFFF }
}

extension ASCIIWriter {
    /// Writes `address`'s ``IPAddress/description`` (at most ``IPAddress/maximumDescriptionLength``
    /// bytes); IPv4 and IPv4-mapped addresses digit by digit.
    public mutating func write(_ address: IPAddress) {
        if address.isIPv6 {
            guard address.isIPv4Mapped else { return write(address.description) }
            write("::ffff:")
        }
        let value = UInt32(truncatingIfNeeded: address.low)
        write(decimal: value >> 24)
        write(UInt8(ascii: "."))
        write(decimal: value >> 16 & 0xFF)
        write(UInt8(ascii: "."))
        write(decimal: value >> 8 & 0xFF)
        write(UInt8(ascii: "."))
        write(decimal: value & 0xFF)
    }
}

extension Substring {
    /// Splits IPv6 text at its one allowed `::`, keeping empty halves.
    fileprivate func components(separatedByDoubleColon _: Void) -> [Substring] {
        var result: [Substring] = []
        var start = startIndex
        var index = startIndex
        while index < endIndex {
            let next = self.index(after: index)
            if self[index] == ":", next < endIndex, self[next] == ":" {
                result.append(self[start..<index])
                start = self.index(after: next)
                index = start
                continue
            }
            index = next
        }
        result.append(self[start..<endIndex])
        return result
    }
}
