import TapedeckCore
import Testing
@testable import TapedeckQuery

@Suite("Parser: grammar to AST")
struct ParserTests {
    @Test("primitives", arguments: [
        ("host 10.1.2.3", host("10.1.2.3")),
        ("host 2001:db8::1", host("2001:db8::1")),
        ("host 2001:0db8:0000:0000:0000:0000:0000:0001", host("2001:db8::1")),
        ("host ::ffff:1.2.3.4", host("::ffff:1.2.3.4")),
        ("src host 10.1.2.3", host("10.1.2.3", .source)),
        ("dst host ::1", host("::1", .destination)),
        ("net 10.0.0.0/8", net("10.0.0.0", 8)),
        ("net 10.1.2.3/8", net("10.0.0.0", 8)),
        ("net 10.0.0.0 / 8", net("10.0.0.0", 8)),
        ("net 0.0.0.0/0", net("0.0.0.0", 0)),
        ("net 10.1.2.3/32", host("10.1.2.3")),
        ("net 2001:db8::/32", net("2001:db8::", 32)),
        ("net ::/0", net("::", 0)),
        ("net 2001:db8::1/128", host("2001:db8::1")),
        ("src net 192.168.0.0/16", net("192.168.0.0", 16, .source)),
        ("dst net fe80::/10", net("fe80::", 10, .destination)),
        ("net 192.168.1.0 mask 255.255.255.0", net("192.168.1.0", 24)),
        ("net 10.0.0.0 mask 0.0.0.0", net("0.0.0.0", 0)),
        ("net 10.0.0.7 mask 255.255.255.255", host("10.0.0.7")),
        ("dst net 172.16.0.0 mask 255.240.0.0", net("172.16.0.0", 12, .destination)),
        ("port 443", .port(.either, 443)),
        ("port 0", .port(.either, 0)),
        ("port 65535", .port(.either, 65535)),
        ("port 00080", .port(.either, 80)),
        ("src port 53", .port(.source, 53)),
        ("dst port 8080", .port(.destination, 8080)),
        ("ip proto 50", .ipProtocol(50)),
        ("ip proto 0", .ipProtocol(0)),
        ("ip proto 255", .ipProtocol(255)),
        ("tcp", .ipProtocol(6)),
        ("udp", .ipProtocol(17)),
        ("icmp", .and(.ipVersion(.v4), .ipProtocol(1))),
        ("icmp6", .and(.ipVersion(.v6), .ipProtocol(58))),
        ("ip", .ipVersion(.v4)),
        ("ip6", .ipVersion(.v6)),
        ("vlan 0", .vlan(0)),
        ("vlan 4095", .vlan(4095)),
        ("mpls 1048575", .mpls(1_048_575)),
        ("mpls 16", .mpls(16)),
        ("after 2012-11-03T11:05:00Z", .timeAfter(utc(2012, 11, 3, 11, 5))),
        ("before 2012-11-03T11:05:00Z", .timeBefore(utc(2012, 11, 3, 11, 5))),
        ("after 90s ago", .timeAfter(testNow.advanced(byNanoseconds: -90_000_000_000))),
    ] as [(String, QueryExpression)])
    func primitive(text: String, expected: QueryExpression) throws {
        #expect(try parse(text) == expected)
    }

    @Test func keywordsAreCaseInsensitive() throws {
        #expect(try parse("HOST 10.0.0.1 AND Port 80 Or TCP") == parse("host 10.0.0.1 and port 80 or tcp"))
        #expect(try parse("SRC NET 10.0.0.0 MASK 255.0.0.0") == net("10.0.0.0", 8, .source))
        #expect(try parse("IP PROTO 17") == .ipProtocol(17))
        #expect(try parse("Not ICMP6") == .not(.icmp6))
        #expect(try parse("after 5M AGO") == .timeAfter(testNow.advanced(byNanoseconds: -300_000_000_000)))
        #expect(try parse("host 2001:DB8::A") == host("2001:db8::a"))
        #expect(try parse("after 2012-11-03t11:05:00z") == .timeAfter(utc(2012, 11, 3, 11, 5)))
    }

    @Test func whitespaceAnywhere() throws {
        let expected = QueryExpression.and(.or(host("10.0.0.1"), .ipProtocol(6)), .not(.port(.either, 80)))
        #expect(try parse("(host 10.0.0.1 or tcp) and not port 80") == expected)
        #expect(try parse("  (\thost   10.0.0.1\nor tcp )and!port 80  ") == expected)
        #expect(try parse("(host 10.0.0.1||tcp)&&!port 80") == expected)
        #expect(try parse("\n\ttcp\n") == .ipProtocol(6))
    }

    @Test func symbolicOperators() throws {
        #expect(try parse("tcp && udp") == .and(.ipProtocol(6), .ipProtocol(17)))
        #expect(try parse("tcp || udp") == .or(.ipProtocol(6), .ipProtocol(17)))
        #expect(try parse("!tcp") == .not(.ipProtocol(6)))
        #expect(try parse("! ! tcp") == .not(.not(.ipProtocol(6))))
        #expect(try parse("not not tcp") == .not(.not(.ipProtocol(6))))
    }

    @Test func andBindsTighterThanOr() throws {
        let (a, b, c) = (QueryExpression.ipProtocol(1), QueryExpression.ipProtocol(2), QueryExpression.ipProtocol(3))
        #expect(try parse("ip proto 1 or ip proto 2 and ip proto 3") == .or(a, .and(b, c)))
        #expect(try parse("ip proto 1 and ip proto 2 or ip proto 3") == .or(.and(a, b), c))
        #expect(try parse("(ip proto 1 or ip proto 2) and ip proto 3") == .and(.or(a, b), c))
    }

    @Test func notBindsTighterThanAnd() throws {
        #expect(try parse("not tcp and udp") == .and(.not(.ipProtocol(6)), .ipProtocol(17)))
        #expect(try parse("not (tcp and udp)") == .not(.and(.ipProtocol(6), .ipProtocol(17))))
        #expect(try parse("udp or not tcp") == .or(.ipProtocol(17), .not(.ipProtocol(6))))
    }

    @Test func leftAssociative() throws {
        let (a, b, c, d) = (QueryExpression.port(.either, 1), QueryExpression.port(.either, 2),
                            QueryExpression.port(.either, 3), QueryExpression.port(.either, 4))
        #expect(try parse("port 1 and port 2 and port 3") == .and(.and(a, b), c))
        #expect(try parse("port 1 or port 2 or port 3 or port 4") == .or(.or(.or(a, b), c), d))
        #expect(try parse("port 1 and (port 2 and port 3)") == .and(a, .and(b, c)))
        #expect(try parse("port 1 or port 2 and port 3 or port 4") == .or(.or(a, .and(b, c)), d))
    }

    @Test func nestedParentheses() throws {
        #expect(try parse("((((tcp))))") == .ipProtocol(6))
        #expect(try parse("((tcp or udp) and (port 53 or (port 853)))")
            == .and(.or(.ipProtocol(6), .ipProtocol(17)), .or(.port(.either, 53), .port(.either, 853))))
    }

    @Test func stenographerExamples() throws {
        // From Stenographer's README and query tests.
        #expect(try parse("host 1.2.3.4 and port 80") == .and(host("1.2.3.4"), .port(.either, 80)))
        #expect(try parse("net 1.2.3.0/24") == net("1.2.3.0", 24))
        #expect(try parse("net 1.2.3.0 mask 255.255.255.0 && ip proto 6")
            == .and(net("1.2.3.0", 24), .ipProtocol(6)))
        #expect(try parse("(port 53 || port 80) && host 1.2.3.4")
            == .and(.or(.port(.either, 53), .port(.either, 80)), host("1.2.3.4")))
        #expect(try parse("after 3m ago and before 1m ago")
            == .and(.timeAfter(testNow.advanced(byNanoseconds: -180_000_000_000)),
                    .timeBefore(testNow.advanced(byNanoseconds: -60_000_000_000))))
    }

    @Test func designExample() throws {
        #expect(try parse("host 10.1.2.3 and port 443 and after 10m ago")
            == .and(.and(host("10.1.2.3"), .port(.either, 443)), .timeAfter(testNow.advanced(byNanoseconds: -600_000_000_000))))
    }

    @Test func ipAloneIsIPv4AndIPProtoIsNot() throws {
        #expect(try parse("ip and ip proto 6") == .and(.ipVersion(.v4), .ipProtocol(6)))
        #expect(try parse("ip or ip6") == .or(.ipVersion(.v4), .ipVersion(.v6)))
        #expect(try parse("ip and tcp") == .and(.ipVersion(.v4), .ipProtocol(6)))
    }
}
