import TapedeckCore
import Testing
@testable import TapedeckQuery

/// tcpdump's `tcp port N` / `udp [src|dst] port N`: one primitive that expands to
/// `(tcp|udp) and [src|dst] port N`.
@Suite("tcp/udp [src|dst] port N")
struct TransportPortTests {
    @Test("parses to protocol and port", arguments: [
        ("tcp port 443", .and(.ipProtocol(6), .port(.either, 443))),
        ("udp port 53", .and(.ipProtocol(17), .port(.either, 53))),
        ("tcp src port 80", .and(.ipProtocol(6), .port(.source, 80))),
        ("udp dst port 53", .and(.ipProtocol(17), .port(.destination, 53))),
        ("TCP Port 0", .and(.ipProtocol(6), .port(.either, 0))),
        ("UDP DST PORT 65535", .and(.ipProtocol(17), .port(.destination, 65535))),
        ("tcp and port 443", .and(.ipProtocol(6), .port(.either, 443))),
        ("not tcp port 80", .not(.and(.ipProtocol(6), .port(.either, 80)))),
        ("!udp port 53", .not(.and(.ipProtocol(17), .port(.either, 53)))),
        ("tcp port 80 or udp port 53", .or(.and(.ipProtocol(6), .port(.either, 80)), .and(.ipProtocol(17), .port(.either, 53)))),
        ("host 10.0.0.1 and tcp port 443", .and(host("10.0.0.1"), .and(.ipProtocol(6), .port(.either, 443)))),
        ("tcp port 443 and host 10.0.0.1", .and(.and(.ipProtocol(6), .port(.either, 443)), host("10.0.0.1"))),
        ("(tcp port 22)", .and(.ipProtocol(6), .port(.either, 22))),
        ("tcp", .ipProtocol(6)),
        ("tcp and src port 1", .and(.ipProtocol(6), .port(.source, 1))),
        ("tcp or port 1", .or(.ipProtocol(6), .port(.either, 1))),
        ("udp and dst host 10.0.0.1", .and(.ipProtocol(17), host("10.0.0.1", .destination))),
    ] as [(String, QueryExpression)])
    func parses(text: String, expected: QueryExpression) throws {
        #expect(try parse(text) == expected)
    }

    @Test("prints the sugar and re-parses to the same AST", arguments: [
        ("tcp port 443", "tcp port 443"),
        ("tcp and port 443", "tcp port 443"),
        ("udp and dst port 53", "udp dst port 53"),
        ("ip proto 6 and src port 8", "tcp src port 8"),
        ("not (tcp and port 80)", "not tcp port 80"),
        ("host 10.0.0.1 and (tcp and port 80)", "host 10.0.0.1 and tcp port 80"),
        ("(tcp and port 80) and udp", "tcp port 80 and udp"),
        ("tcp and port 80 and udp", "tcp port 80 and udp"),
        ("tcp port 80 or udp port 53", "tcp port 80 or udp port 53"),
        ("port 80 and tcp", "port 80 and tcp"),
        ("tcp and (port 80 or port 443)", "tcp and (port 80 or port 443)"),
        ("ip proto 132 and port 9", "ip proto 132 and port 9"),
        ("tcp and not port 80", "tcp and not port 80"),
        ("not tcp and port 80", "not tcp and port 80"),
    ])
    func description(text: String, canonical: String) throws {
        let expression = try parse(text)
        #expect(expression.description == canonical)
        #expect(try parse(canonical) == expression)
    }

    @Test("errors point at the offending token", arguments: [
        SyntaxErrorTests.Case("tcp port", "expected a port number after 'port'", at: 8, length: 0),
        SyntaxErrorTests.Case("tcp port 70000", "port number 70000 out of range (0–65535)", at: 9, length: 5),
        SyntaxErrorTests.Case("udp  port  99999999999", "port number 99999999999 out of range (0–65535)", at: 11, length: 11),
        SyntaxErrorTests.Case("tcp port http", "expected a port number after 'port', found 'http'", at: 9, length: 4),
        SyntaxErrorTests.Case("udp dst port x", "expected a port number after 'port', found 'x'", at: 13, length: 1),
        SyntaxErrorTests.Case("tcp src port -1", "expected a port number after 'port', found '-1'", at: 13, length: 2),
        SyntaxErrorTests.Case("tcp port and udp", "expected a port number after 'port', found 'and'", at: 9, length: 3),
        SyntaxErrorTests.Case("tcp port (80)", "expected a port number after 'port', found '('", at: 9, length: 1),
        SyntaxErrorTests.Case("tcp src", "expected 'port' after 'tcp src'", at: 7, length: 0),
        SyntaxErrorTests.Case("tcp src host 10.0.0.1", "expected 'port' after 'tcp src', found 'host'", at: 8, length: 4),
        SyntaxErrorTests.Case("udp dst prot 53", "expected 'port' after 'udp dst', found 'prot'; did you mean 'port'?", at: 8, length: 4),
        SyntaxErrorTests.Case("tcp port 80 443", "expected 'and', 'or' or the end of the query, found '443'", at: 12, length: 3),
        SyntaxErrorTests.Case("tcp udp", "expected 'and', 'or' or the end of the query, found 'udp'", at: 4, length: 3),
    ])
    func error(_ example: SyntaxErrorTests.Case) {
        let error = parseError(example.query)
        #expect(error?.message == example.message)
        #expect(error?.position == example.position)
        #expect(error?.length == example.length)
    }

    @Test("tcpdump equivalent", arguments: [
        ("tcp port 80", "tcp and port 80"),
        ("udp dst port 53", "udp and dst port 53"),
        ("host 10.0.0.1 and tcp port 443", "ip host 10.0.0.1 and tcp and port 443"),
        ("tcp port 443 and after 2012-11-03T11:05:00Z", "tcp and port 443"),
        ("not tcp port 80", "not (tcp and port 80)"),
        ("tcp port 80 or udp port 53", "(tcp and port 80) or (udp and port 53)"),
    ])
    func bpf(query: String, expected: String) throws {
        #expect(try parse(query).bpfEquivalent() == expected)
    }

    @Test func matchesOnlyThatProtocol() throws {
        let tcp80 = Decoded.ipv4("10.0.0.1", "10.0.0.2", protocol: 6, ports: (40000, 80))
        let udp80 = Decoded.ipv4("10.0.0.1", "10.0.0.2", protocol: 17, ports: (40000, 80))
        let tcp6 = Decoded.ipv6("2001:db8::1", "2001:db8::2", protocol: 6, ports: (80, 40000))
        #expect(try parse("tcp port 80").matches(tcp80, at: testNow))
        #expect(try !parse("tcp port 80").matches(udp80, at: testNow))
        #expect(try parse("udp port 80").matches(udp80, at: testNow))
        #expect(try parse("tcp dst port 80").matches(tcp80, at: testNow))
        #expect(try !parse("tcp src port 80").matches(tcp80, at: testNow))
        #expect(try parse("tcp src port 80").matches(tcp6, at: testNow))
        #expect(try !parse("not tcp port 80").matches(tcp80, at: testNow))
        #expect(try parse("not tcp port 80").matches(udp80, at: testNow))
    }
}
