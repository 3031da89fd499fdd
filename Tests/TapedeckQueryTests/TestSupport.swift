import TapedeckCore
@testable import TapedeckQuery

/// The fixed "now" that relative times resolve against: 2024-03-01T12:00:00Z.
let testNow = Timestamp(nanoseconds: 1_709_294_400_000_000_000)

/// Parses with ``testNow``; test failures show the rendered error.
func parse(_ text: String) throws -> QueryExpression {
    try QueryExpression.parse(text, now: testNow)
}

/// The error that parsing `text` throws, or nil if it parses.
func parseError(_ text: String) -> QuerySyntaxError? {
    do {
        _ = try QueryExpression.parse(text, now: testNow)
        return nil
    } catch {
        return error
    }
}

/// An address literal for tests (crashes on a typo in the test itself).
func ip(_ text: String) -> IPAddress {
    guard let address = IPAddress(text) else { preconditionFailure("bad test address \(text)") }
    return address
}

/// `host` as the parser builds it.
func host(_ text: String, _ direction: QueryExpression.Direction = .either) -> QueryExpression {
    .address(direction, ip(text)...ip(text))
}

/// `net` as the parser builds it.
func net(_ text: String, _ length: Int, _ direction: QueryExpression.Direction = .either) -> QueryExpression {
    .address(direction, ip(text).prefixRange(length: length))
}

/// A UTC instant from calendar fields plus nanoseconds.
func utc(_ year: Int64, _ month: Int64, _ day: Int64, _ hour: Int64 = 0, _ minute: Int64 = 0, _ second: Int64 = 0,
         nanoseconds: Int64 = 0) -> Timestamp {
    let seconds = CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second).secondsSinceEpoch
    return Timestamp(seconds: seconds, nanoseconds: nanoseconds)
}

/// Hand-built decodings, as the decoder contract (``DecodedPacket``) describes them.
enum Decoded {
    /// An IPv4 packet; ports when `ports` is given (TCP/UDP/SCTP with a first fragment or none).
    static func ipv4(_ source: String, _ destination: String, protocol number: UInt8,
                     ports: (UInt16, UInt16)? = nil, fragment: Fragment = .none) -> DecodedPacket {
        var packet = DecodedPacket()
        packet.etherType = 0x0800
        packet.network = .ipv4
        packet.source = ip(source)
        packet.destination = ip(destination)
        packet.hasIPProtocol = true
        packet.ipProtocol = number
        packet.firstNextHeader = number
        packet.isFragment = fragment != .none
        packet.isLaterFragment = fragment == .later
        if let ports, fragment != .later {
            packet.hasPorts = true
            (packet.sourcePort, packet.destinationPort) = ports
        }
        if number == 1 { packet.hasICMP = true }
        return packet
    }

    /// An IPv6 packet whose fixed header says `firstNextHeader` and whose upper layer is
    /// `protocol` (different when extension headers sit between them).
    static func ipv6(_ source: String, _ destination: String, protocol number: UInt8, firstNextHeader: UInt8? = nil,
                     ports: (UInt16, UInt16)? = nil, fragment: Fragment = .none) -> DecodedPacket {
        var packet = DecodedPacket()
        packet.etherType = 0x86DD
        packet.network = .ipv6
        packet.source = ip(source)
        packet.destination = ip(destination)
        packet.hasIPProtocol = true
        packet.ipProtocol = number
        packet.firstNextHeader = firstNextHeader ?? number
        packet.isFragment = fragment != .none
        packet.isLaterFragment = fragment == .later
        if let ports, fragment != .later {
            packet.hasPorts = true
            (packet.sourcePort, packet.destinationPort) = ports
        }
        if number == 58 { packet.hasICMP = true }
        return packet
    }

    /// A non-IP frame (ARP and the like).
    static func other(etherType: UInt16) -> DecodedPacket {
        var packet = DecodedPacket()
        packet.etherType = etherType
        return packet
    }

    enum Fragment { case none, first, later }
}

/// A deterministic pseudo-random generator (SplitMix64) for property tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
