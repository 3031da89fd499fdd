import TapedeckCore
import Testing
@testable import TapedeckQuery

@Suite("tcpdump equivalents and time windows")
struct BPFTests {
    static let translations: [(String, String?)] = [
        ("host 10.0.0.1", "ip host 10.0.0.1"),
        ("src host 10.0.0.1", "ip src host 10.0.0.1"),
        ("dst host 2001:db8::1", "ip6 dst host 2001:db8::1"),
        ("net 10.0.0.0/8", "ip net 10.0.0.0/8"),
        ("src net 10.1.0.0 mask 255.255.0.0", "ip src net 10.1.0.0/16"),
        ("dst net 2001:db8::/32", "ip6 dst net 2001:db8::/32"),
        ("net 0.0.0.0/0", "ip net 0.0.0.0/0"),
        ("port 80", "port 80"),
        ("src port 53", "src port 53"),
        ("dst port 443", "dst port 443"),
        ("tcp", "tcp"),
        ("udp", "udp"),
        ("icmp", "icmp"),
        ("icmp6", "icmp6"),
        ("ip proto 50", "ip proto 50 or ip6 proto 50"),
        ("ip", "ip"),
        ("ip6", "ip6"),
        ("not tcp", "not tcp"),
        ("not ip proto 50", "not (ip proto 50 or ip6 proto 50)"),
        ("tcp and port 80", "tcp and port 80"),
        ("tcp or udp and port 53", "tcp or (udp and port 53)"),
        ("(tcp or udp) and port 53", "(tcp or udp) and port 53"),
        ("port 53 and (tcp or udp)", "port 53 and (tcp or udp)"),
        ("tcp and port 80 or udp", "(tcp and port 80) or udp"),
        ("tcp or udp or icmp", "tcp or udp or icmp"),
        ("tcp or (udp or icmp)", "tcp or (udp or icmp)"),
        ("not (host 10.0.0.1 and port 80)", "not (ip host 10.0.0.1 and port 80)"),
        ("not not tcp", "not not tcp"),
        ("ip proto 50 and host 10.0.0.1", "(ip proto 50 or ip6 proto 50) and ip host 10.0.0.1"),
        ("host 10.0.0.1 and (ip proto 50 or tcp)", "ip host 10.0.0.1 and (ip proto 50 or ip6 proto 50 or tcp)"),
        // Time bounds at the top level are the window, not the filter.
        ("tcp and after 2012-11-03T11:05:00Z", "tcp"),
        ("after 5m ago and host 10.0.0.1 and before 1m ago and port 80", "ip host 10.0.0.1 and port 80"),
        ("(after 5m ago and tcp) and (udp and before 1m ago)", "tcp and udp"),
        ("after 5m ago and (tcp or udp)", "tcp or udp"),
        ("after 5m ago and icmp", "icmp"),
        ("icmp and after 5m ago and tcp", "icmp and tcp"),
        ("(tcp or udp) and ip6", "(tcp or udp) and ip6"),
        ("after 5m ago", ""),
        ("after 5m ago and before 1m ago", ""),
        // No equivalent.
        ("tcp or after 5m ago", nil),
        ("not before 5m ago", nil),
        ("vlan 100", nil),
        ("mpls 16 and tcp", nil),
        ("tcp and not vlan 1", nil),
    ]

    @Test(arguments: translations)
    func translation(query: String, expected: String?) throws {
        #expect(try parse(query).bpfEquivalent() == expected)
    }

    @Test func nonCIDRRangeTranslatesToBlocks() {
        let range = QueryExpression.address(.destination, ip("10.0.0.1")...ip("10.0.0.2"))
        #expect(range.bpfEquivalent() == "ip dst host 10.0.0.1 or ip dst host 10.0.0.2")
        #expect(QueryExpression.and(range, .ipProtocol(6)).bpfEquivalent() == "(ip dst host 10.0.0.1 or ip dst host 10.0.0.2) and tcp")
    }

    @Test func timeWindow() throws {
        let t1 = utc(2012, 11, 3, 11, 5), t2 = utc(2012, 11, 3, 12, 0)
        #expect(try parse("tcp").timeWindow == .all)
        #expect(try parse("after 2012-11-03T11:05:00Z").timeWindow == TimeWindow(start: t1))
        #expect(try parse("before 2012-11-03T11:05:00Z").timeWindow == TimeWindow(end: t1))
        #expect(try parse("after 2012-11-03T11:05:00Z and tcp and before 2012-11-03T12:00:00Z").timeWindow
            == TimeWindow(start: t1, end: t2))
        #expect(try parse("(tcp and after 2012-11-03T11:05:00Z) and (before 2012-11-03T12:00:00Z and udp)").timeWindow
            == TimeWindow(start: t1, end: t2))
        #expect(try parse("after 2012-11-03T11:05:00Z and after 2012-11-03T12:00:00Z").timeWindow == TimeWindow(start: t2))
        #expect(try parse("before 2012-11-03T11:05:00Z and before 2012-11-03T12:00:00Z").timeWindow == TimeWindow(end: t1))
        #expect(try parse("after 2012-11-03T12:00:00Z and before 2012-11-03T11:05:00Z").timeWindow.isEmpty)
        #expect(try parse("tcp or after 2012-11-03T11:05:00Z").timeWindow == .all)
        #expect(try parse("not after 2012-11-03T11:05:00Z").timeWindow == .all)
        #expect(try parse("after 10m ago").timeWindow == TimeWindow(start: testNow.advanced(byNanoseconds: -600_000_000_000)))
    }

    // MARK: tcpdump as the oracle

    static let oracleQueries = [
        "host 10.0.0.1", "src host 10.0.0.1", "dst host 10.0.0.2", "host 2001:db8::1", "src host 2001:db8::2",
        "net 10.0.0.0/8", "net 10.0.0.0/31", "dst net 192.168.0.0 mask 255.255.0.0", "net 2001:db8::/32",
        "net fe80::/10", "net 0.0.0.0/0", "net ::/0", "host 224.0.0.251",
        "port 80", "port 53", "src port 53", "dst port 53", "port 1234", "port 9", "port 443", "dst port 50000", "port 5353",
        "tcp", "udp", "icmp", "icmp6", "ip proto 1", "ip proto 58", "ip proto 50", "ip proto 132", "ip proto 0",
        "ip proto 44", "ip proto 60", "ip", "ip6",
        "not tcp", "tcp and port 80", "tcp or udp and port 53", "(tcp or udp) and port 53",
        "host 10.0.0.1 and not port 80", "not (host 10.0.0.1 or host 2001:db8::1)", "icmp or icmp6 or ip proto 50",
        "ip6 and not tcp and not udp", "src net 10.0.0.0/30 and dst port 80 or src port 443",
        "after 1970-01-01T00:00:00Z", "tcp and after 2020-09-13T12:26:45Z and before 2020-09-13T12:26:50Z",
        "udp and after 2020-09-13T12:26:46Z",
    ]

    @Test(arguments: oracleQueries)
    func agreesWithTcpdump(query: String) throws {
        try compareWithTcpdump(try parse(query))
    }

    @Test(arguments: [11, 12, 13] as [UInt64])
    func randomQueriesAgreeWithTcpdump(seed: UInt64) throws {
        var random = SplitMix64(state: seed)
        var informative = 0
        for _ in 0..<40 {
            let matched = try compareWithTcpdump(OracleQuery.expression(depth: 4, using: &random))
            if matched > 0, matched < OracleFixtures.all.count { informative += 1 }
        }
        #expect(informative >= 10, "most random queries should select some but not all fixtures")
    }

    /// Checks `matches` against tcpdump on ``bpfEquivalent()`` plus ``timeWindow`` over all
    /// fixtures; returns how many matched.
    @discardableResult
    private func compareWithTcpdump(_ expression: QueryExpression) throws -> Int {
        let filter = try #require(expression.bpfEquivalent(), "\(expression)")
        let window = expression.timeWindow
        let tcpdump = OracleFixtures.indexes(inPcap: try Tcpdump.filter(OracleFixtures.pcap, filter))
            .filter { window.contains(OracleFixtures.time($0)) }
        let ours = OracleFixtures.all.indices.filter {
            expression.matches(OracleFixtures.all[$0].decoded, at: OracleFixtures.time($0))
        }
        #expect(ours == tcpdump, "\(expression) ≡ '\(filter)': ours \(ours.map { OracleFixtures.all[$0].name }), tcpdump \(tcpdump.map { OracleFixtures.all[$0].name })")
        return ours.count
    }
}

/// Random expressions over values that occur in ``OracleFixtures``, with time bounds only as
/// top-level conjuncts (where ``QueryExpression/bpfEquivalent()`` leaves them to the window).
enum OracleQuery {
    static func expression(depth: Int, using random: inout SplitMix64) -> QueryExpression {
        var expression = packetExpression(depth: depth, using: &random)
        if Bool.random(using: &random) {
            expression = .and(.timeAfter(OracleFixtures.time(Int.random(in: 0...20, using: &random))), expression)
        }
        if Bool.random(using: &random) {
            expression = .and(expression, .timeBefore(OracleFixtures.time(Int.random(in: 0...20, using: &random))))
        }
        return expression
    }

    static func packetExpression(depth: Int, using random: inout SplitMix64) -> QueryExpression {
        guard depth > 0, Int.random(in: 0..<3, using: &random) != 0 else { return primitive(using: &random) }
        switch Int.random(in: 0..<3, using: &random) {
        case 0: return .and(packetExpression(depth: depth - 1, using: &random), packetExpression(depth: depth - 1, using: &random))
        case 1: return .or(packetExpression(depth: depth - 1, using: &random), packetExpression(depth: depth - 1, using: &random))
        default: return .not(packetExpression(depth: depth - 1, using: &random))
        }
    }

    static func primitive(using random: inout SplitMix64) -> QueryExpression {
        let directions: [QueryExpression.Direction] = [.either, .source, .destination]
        let direction = directions.randomElement(using: &random)!
        let addresses = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "192.168.1.1", "2001:db8::1", "2001:db8::2", "fe80::1", "ff02::1"]
        switch Int.random(in: 0..<6, using: &random) {
        case 0:
            let address = ip(addresses.randomElement(using: &random)!)
            let length = Int.random(in: address.bitWidth - 12...address.bitWidth, using: &random)
            return .address(direction, address.prefixRange(length: length))
        case 1: return .port(direction, [53, 80, 443, 1234, 5353, 9, 50000].randomElement(using: &random)!)
        case 2: return .ipProtocol([0, 1, 6, 17, 44, 50, 58, 60, 132].randomElement(using: &random)!)
        case 3: return [.icmp, .icmp6, .ipVersion(.v4), .ipVersion(.v6)].randomElement(using: &random)!
        case 4: return .address(direction, ip("10.0.0.0")...ip(["10.0.0.2", "10.0.0.6", "192.168.1.1"].randomElement(using: &random)!))
        default: return .port(direction, UInt16.random(in: 0...100, using: &random))
        }
    }
}
