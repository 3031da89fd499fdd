import TapedeckCore
import Testing
@testable import TapedeckQuery

@Suite("Canonical description")
struct DescriptionTests {
    @Test("normalised text", arguments: [
        ("HOST 10.1.2.3", "host 10.1.2.3"),
        ("host 2001:0DB8:0000:0000:0000:0000:0000:0001", "host 2001:db8::1"),
        ("src host 1.2.3.4 && dst host ::1", "src host 1.2.3.4 and dst host ::1"),
        ("net 10.1.2.3/8", "net 10.0.0.0/8"),
        ("net 10.1.2.3 / 32", "host 10.1.2.3"),
        ("net 192.168.1.7 mask 255.255.255.0", "net 192.168.1.0/24"),
        ("dst net 2001:db8::1/32", "dst net 2001:db8::/32"),
        ("src port 53 || dst port 53", "src port 53 or dst port 53"),
        ("ip proto 6", "tcp"),
        ("ip proto 17", "udp"),
        ("ip proto 58", "ip proto 58"),
        ("ip and ip proto 1", "icmp"),
        ("ip6 && ip proto 58", "icmp6"),
        ("icmp", "icmp"),
        ("vlan 100 and mpls 16", "vlan 100 and mpls 16"),
        ("after 2012-11-03T12:05:00.500+01:00", "after 2012-11-03T11:05:00.5Z"),
        ("before 90s ago", "before 2024-03-01T11:58:30Z"),
        ("!tcp", "not tcp"),
        ("not (not tcp)", "not not tcp"),
        ("(tcp)", "tcp"),
        ("(tcp and udp) and icmp", "tcp and udp and icmp"),
        ("tcp and (udp and icmp)", "tcp and (udp and icmp)"),
        ("(tcp or udp) or icmp", "tcp or udp or icmp"),
        ("tcp or (udp or icmp)", "tcp or (udp or icmp)"),
        ("tcp or udp and icmp", "tcp or udp and icmp"),
        ("(tcp or udp) and icmp", "(tcp or udp) and icmp"),
        ("icmp and (tcp or udp)", "icmp and (tcp or udp)"),
        ("not (tcp or udp)", "not (tcp or udp)"),
        ("not (tcp and udp)", "not (tcp and udp)"),
        ("(not tcp) and udp", "not tcp and udp"),
        ("not icmp6", "not icmp6"),
        ("port 1 and icmp or not (port 2 or port 3) and ip6", "port 1 and icmp or not (port 2 or port 3) and ip6"),
    ])
    func canonical(text: String, canonical: String) throws {
        let expression = try parse(text)
        #expect(expression.description == canonical)
        #expect(try parse(canonical) == expression)
    }

    @Test func nonCIDRRangePrintsAsExactCover() throws {
        let range = QueryExpression.address(.source, ip("10.0.0.1")...ip("10.0.0.6"))
        #expect(range.description == "(src host 10.0.0.1 or src net 10.0.0.2/31 or src net 10.0.0.4/31 or src host 10.0.0.6)")
        let reparsed = try parse(range.description)
        for last in 0...8 as ClosedRange<UInt32> {
            let packet = Decoded.ipv4("10.0.0.\(last)", "9.9.9.9", protocol: 6)
            #expect(reparsed.matches(packet, at: testNow) == range.matches(packet, at: testNow))
        }
    }

    @Test func mixedFamilyRangeSplitsAtIPv4End() {
        let range = QueryExpression.address(.either, ip("255.255.255.254")...ip("::1"))
        #expect(range.description == "(net 255.255.255.254/31 or net ::/127)")
    }

    @Test func cidrBlocksCoverRangesExactly() {
        var random = SplitMix64(state: 7)
        for _ in 0..<300 {
            let ipv6 = Bool.random(using: &random)
            let a = ipv6 ? IPAddress(ipv6High: random.next() >> UInt64.random(in: 0...63, using: &random), low: random.next())
                         : IPAddress(ipv4: UInt32.random(in: 0...UInt32.max, using: &random))
            let b = ipv6 ? IPAddress(ipv6High: random.next() >> UInt64.random(in: 0...63, using: &random), low: random.next())
                         : IPAddress(ipv4: UInt32.random(in: 0...UInt32.max, using: &random))
            let range = min(a, b)...max(a, b)
            let blocks = AddressBlocks.blocks(covering: range)
            #expect(blocks.first?.network == range.lowerBound)
            #expect(blocks.count <= 2 * range.lowerBound.bitWidth)
            var expectedStart = range.lowerBound
            for (index, block) in blocks.enumerated() {
                let covered = block.network.prefixRange(length: block.length)
                #expect(covered.lowerBound == expectedStart)
                #expect(AddressBlocks.prefixLength(of: covered) == block.length)
                if index == blocks.count - 1 {
                    #expect(covered.upperBound == range.upperBound)
                } else {
                    let next = blocks[index + 1].network
                    #expect(covered.upperBound < next)
                    expectedStart = next
                }
            }
        }
    }

    @Test func prefixLengthRecognisesBlocksOnly() {
        #expect(AddressBlocks.prefixLength(of: ip("10.0.0.0").prefixRange(length: 8)) == 8)
        #expect(AddressBlocks.prefixLength(of: ip("10.0.0.1")...ip("10.0.0.1")) == 32)
        #expect(AddressBlocks.prefixLength(of: ip("0.0.0.0")...ip("255.255.255.255")) == 0)
        #expect(AddressBlocks.prefixLength(of: ip("::")...ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")) == 0)
        #expect(AddressBlocks.prefixLength(of: ip("2001:db8::").prefixRange(length: 61)) == 61)
        #expect(AddressBlocks.prefixLength(of: ip("2001:db8::").prefixRange(length: 64)) == 64)
        #expect(AddressBlocks.prefixLength(of: ip("2001:db8::").prefixRange(length: 100)) == 100)
        #expect(AddressBlocks.prefixLength(of: ip("10.0.0.1")...ip("10.0.0.2")) == nil)
        #expect(AddressBlocks.prefixLength(of: ip("10.0.0.0")...ip("10.0.0.2")) == nil)
        #expect(AddressBlocks.prefixLength(of: ip("10.0.0.0")...ip("::")) == nil)
    }

    @Test("random ASTs survive description → parse", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func roundTrip(seed: UInt64) throws {
        var random = SplitMix64(state: seed)
        for _ in 0..<400 {
            let expression = RandomQuery.expression(depth: 5, using: &random)
            let text = expression.description
            let reparsed = try QueryExpression.parse(text, now: testNow)
            #expect(reparsed == expression, "\(text)")
            #expect(reparsed.description == text)
        }
    }
}

/// Random expressions for property tests.
enum RandomQuery {
    /// Any expression the parser can produce (CIDR ranges only).
    static func expression(depth: Int, using random: inout SplitMix64) -> QueryExpression {
        guard depth > 0, Int.random(in: 0..<3, using: &random) != 0 else { return primitive(using: &random) }
        switch Int.random(in: 0..<3, using: &random) {
        case 0: return .and(expression(depth: depth - 1, using: &random), expression(depth: depth - 1, using: &random))
        case 1: return .or(expression(depth: depth - 1, using: &random), expression(depth: depth - 1, using: &random))
        default: return .not(expression(depth: depth - 1, using: &random))
        }
    }

    static func primitive(using random: inout SplitMix64) -> QueryExpression {
        let directions: [QueryExpression.Direction] = [.either, .source, .destination]
        let direction = directions.randomElement(using: &random)!
        switch Int.random(in: 0..<13, using: &random) {
        case 0:
            let address = IPAddress(ipv4: UInt32.random(in: 0...UInt32.max, using: &random))
            return .address(direction, address.prefixRange(length: Int.random(in: 0...32, using: &random)))
        case 1:
            let address = IPAddress(ipv6High: random.next(), low: random.next())
            return .address(direction, address.prefixRange(length: Int.random(in: 0...128, using: &random)))
        case 2: return .port(direction, UInt16.random(in: 0...UInt16.max, using: &random))
        case 3: return .ipProtocol(UInt8.random(in: 0...255, using: &random))
        case 4: return .ipProtocol([1, 6, 17, 58].randomElement(using: &random)!)
        case 5: return [.icmp, .icmp6, .ipVersion(.v4), .ipVersion(.v6)].randomElement(using: &random)!
        case 6: return .vlan(UInt16.random(in: 0...4095, using: &random))
        case 7: return .mpls(UInt32.random(in: 0...1_048_575, using: &random))
        case 8: return .timeAfter(Timestamp(nanoseconds: Int64.random(in: .min ... .max, using: &random)))
        case 9: return .timeBefore(Timestamp(nanoseconds: Int64.random(in: .min ... .max, using: &random) / 1_000_000 * 1_000_000))
        case 10: return .address(direction, IPAddress(ipv4: UInt32.random(in: 0...UInt32.max, using: &random)).prefixRange(length: 32))
        case 11: return .and(.ipProtocol([6, 17].randomElement(using: &random)!), .port(direction, UInt16.random(in: 0...UInt16.max, using: &random)))
        default: return .timeAfter(Timestamp(seconds: Int64.random(in: 0...4_000_000_000, using: &random), nanoseconds: 0))
        }
    }
}
