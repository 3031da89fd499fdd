import Testing
@testable import TapedeckQuery

@Suite("Syntax errors: message and exact position")
struct SyntaxErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var query: String
        var message: String
        var position: Int
        var length: Int
        var testDescription: String { query.debugDescription }

        init(_ query: String, _ message: String, at position: Int, length: Int) {
            self.query = query
            self.message = message
            self.position = position
            self.length = length
        }
    }

    @Test(arguments: [
        // Empty input.
        Case("", "empty query", at: 0, length: 0),
        Case(" \t\n ", "empty query", at: 0, length: 0),
        // Missing operands.
        Case("tcp and", "expected an expression after 'and'", at: 7, length: 0),
        Case("tcp &&", "expected an expression after '&&'", at: 6, length: 0),
        Case("and tcp", "expected an expression, found 'and'", at: 0, length: 3),
        Case("tcp and or udp", "expected an expression after 'and', found 'or'", at: 8, length: 2),
        Case("tcp or || udp", "expected an expression after 'or', found '||'", at: 7, length: 2),
        Case("not", "expected an expression after 'not'", at: 3, length: 0),
        Case("!", "expected an expression after '!'", at: 1, length: 0),
        Case("()", "expected an expression after '(', found ')'", at: 1, length: 1),
        Case("tcp and 80", "expected an expression, found '80'", at: 8, length: 2),
        Case("mask", "expected an expression, found 'mask'", at: 0, length: 4),
        Case("/ 8", "expected an expression, found '/'", at: 0, length: 1),
        // Parentheses and trailing garbage.
        Case("(tcp", "unbalanced '(': missing ')'", at: 0, length: 1),
        Case("port 80 and ((tcp) or udp", "unbalanced '(': missing ')'", at: 12, length: 1),
        Case("tcp)", "unbalanced ')': no '(' to close", at: 3, length: 1),
        Case("(tcp udp)", "expected ')', 'and' or 'or', found 'udp'", at: 5, length: 3),
        Case("tcp udp", "expected 'and', 'or' or the end of the query, found 'udp'", at: 4, length: 3),
        Case("tcp adn udp", "expected 'and', 'or' or the end of the query, found 'adn'; did you mean 'and'?", at: 4, length: 3),
        Case("after 5m ago ago", "expected 'and', 'or' or the end of the query, found 'ago'", at: 13, length: 3),
        Case("tcp & udp", "unexpected '&'; write '&&' or 'and'", at: 4, length: 1),
        Case("tcp | udp", "unexpected '|'; write '||' or 'or'", at: 4, length: 1),
        // Unknown words.
        Case("hots 10.0.0.1", "unknown keyword 'hots'; did you mean 'host'?", at: 0, length: 4),
        Case("tcp or protocol 6", "unknown keyword 'protocol'", at: 7, length: 8),
        Case("udp and vlna 5", "unknown keyword 'vlna'; did you mean 'vlan'?", at: 8, length: 4),
        Case("tcp and höst 10.0.0.1", "unknown keyword 'höst'; did you mean 'host'?", at: 8, length: 4),
        Case("10.0.0.1", "expected an expression, found the address '10.0.0.1'; did you mean 'host 10.0.0.1'?", at: 0, length: 8),
        Case("src 10.0.0.1", "expected 'host', 'net' or 'port' after 'src', found '10.0.0.1'", at: 4, length: 8),
        Case("dst prot 80", "expected 'host', 'net' or 'port' after 'dst', found 'prot'; did you mean 'port'?", at: 4, length: 4),
        Case("src", "expected 'host', 'net' or 'port' after 'src'", at: 3, length: 0),
        // Addresses.
        Case("host", "expected an IP address after 'host'", at: 4, length: 0),
        Case("host foo", "expected an IP address after 'host', found 'foo'", at: 5, length: 3),
        Case("host 10.0.0.300", "invalid IP address '10.0.0.300'", at: 5, length: 10),
        Case("host 2001:db8:::1", "invalid IP address '2001:db8:::1'", at: 5, length: 12),
        Case("host (10.0.0.1)", "expected an IP address after 'host', found '('", at: 5, length: 1),
        Case("host 10.0.0.0/8", "'host' takes a single address; use 'net' for a prefix", at: 13, length: 1),
        Case("net 10.0.0.0", "expected '/' and a prefix length, or 'mask', after the network address", at: 12, length: 0),
        Case("net 10.0.0.0/33", "prefix length 33 out of range (0–32)", at: 13, length: 2),
        Case("net 2001:db8::/129", "prefix length 129 out of range (0–128)", at: 15, length: 3),
        Case("net 10.0.0.0/99999999999", "prefix length 99999999999 out of range (0–32)", at: 13, length: 11),
        Case("net 10.0.0.0/", "expected a prefix length after '/'", at: 13, length: 0),
        Case("net 10.0.0.0/x8", "expected a prefix length after '/', found 'x8'", at: 13, length: 2),
        Case("net 10.0.0.0 mask 255.0.255.0", "netmask 255.0.255.0 is not contiguous", at: 18, length: 11),
        Case("net 10.0.0.0 mask 0.255.255.255", "netmask 0.255.255.255 is not contiguous", at: 18, length: 13),
        Case("net 10.0.0.0 mask ffff::", "expected an IPv4 netmask after 'mask', found 'ffff::'", at: 18, length: 6),
        Case("net 2001:db8:: mask 255.0.0.0", "'mask' works only with IPv4 networks; write 2001:db8::/N", at: 15, length: 4),
        Case("net 10.0.0.0 mask", "expected an IP address after 'mask'", at: 17, length: 0),
        // Numbers.
        Case("port", "expected a port number after 'port'", at: 4, length: 0),
        Case("port 65536", "port number 65536 out of range (0–65535)", at: 5, length: 5),
        Case("port 99999999999999999999", "port number 99999999999999999999 out of range (0–65535)", at: 5, length: 20),
        Case("port http", "expected a port number after 'port', found 'http'", at: 5, length: 4),
        Case("port -1", "expected a port number after 'port', found '-1'", at: 5, length: 2),
        Case("dst port 8o", "expected a port number after 'port', found '8o'", at: 9, length: 2),
        Case("vlan 4096", "VLAN ID 4096 out of range (0–4095)", at: 5, length: 4),
        Case("vlan", "expected a VLAN ID after 'vlan'", at: 4, length: 0),
        Case("mpls 1048576", "MPLS label 1048576 out of range (0–1048575)", at: 5, length: 7),
        Case("ip proto 256", "IP protocol number 256 out of range (0–255)", at: 9, length: 3),
        Case("ip proto", "expected an IP protocol number after 'proto'", at: 8, length: 0),
        Case("ip proto tcp", "expected an IP protocol number after 'proto', found 'tcp'", at: 9, length: 3),
        // Times.
        Case("after", "expected a time after 'after' (like 2012-11-03T11:05:00Z, or 5m ago)", at: 5, length: 0),
        Case("before )", "expected a time after 'before' (like 2012-11-03T11:05:00Z, or 5m ago), found ')'", at: 7, length: 1),
        Case("after 5m", "expected 'ago' after the duration '5m'", at: 8, length: 0),
        Case("after 5m and tcp", "expected 'ago' after the duration '5m', found 'and'", at: 9, length: 3),
        Case("after 5x ago", "invalid time '5x': unknown unit 'x' (d, h, m, s, ms, us, ns)", at: 6, length: 2),
        Case("after 5 ago", "invalid time '5': missing unit (d, h, m, s, ms, us, ns)", at: 6, length: 1),
        Case("after m ago", "invalid time 'm': expected a number", at: 6, length: 1),
        Case("after yesterday", "invalid time 'yesterday': expected a number", at: 6, length: 9),
        Case("after 99999999999d ago", "invalid time '99999999999d': duration too long", at: 6, length: 12),
        Case("before 2012-13-03T11:05:00Z", "invalid time '2012-13-03T11:05:00Z': month out of range", at: 7, length: 20),
        Case("before 2012-02-30T00:00:00Z", "invalid time '2012-02-30T00:00:00Z': day out of range", at: 7, length: 20),
        Case("before 2013-02-29T00:00:00Z", "invalid time '2013-02-29T00:00:00Z': day out of range", at: 7, length: 20),
        Case("before 2012-11-03T24:00:00Z", "invalid time '2012-11-03T24:00:00Z': hour out of range", at: 7, length: 20),
        Case("before 2012-11-03T11:60:00Z", "invalid time '2012-11-03T11:60:00Z': minute out of range", at: 7, length: 20),
        Case("before 2012-11-03T11:05:60Z", "invalid time '2012-11-03T11:05:60Z': second out of range", at: 7, length: 20),
        Case("before 2012-11-03T11:05:00", "invalid time '2012-11-03T11:05:00': expected 'Z' or a UTC offset like +01:00", at: 7, length: 19),
        Case("before 2012-11-03 11:05:00Z", "invalid time '2012-11-03': expected 'T' between date and time", at: 7, length: 10),
        Case("before 2012-11-03T11:05Z", "invalid time '2012-11-03T11:05Z': expected ':' after the minute", at: 7, length: 17),
        Case("before 2012-11-03T11:05:00.Z", "invalid time '2012-11-03T11:05:00.Z': expected digits after '.'", at: 7, length: 21),
        Case("before 2012-11-03T11:05:00.1234567890Z", "invalid time '2012-11-03T11:05:00.1234567890Z': more than 9 fractional digits", at: 7, length: 31),
        Case("before 2012-11-03T11:05:00+25:00", "invalid time '2012-11-03T11:05:00+25:00': UTC offset out of range", at: 7, length: 25),
        Case("before 2012-11-03T11:05:00Zjunk", "invalid time '2012-11-03T11:05:00Zjunk': unexpected text after the UTC offset", at: 7, length: 24),
        Case("before 1500-01-01T00:00:00Z", "invalid time '1500-01-01T00:00:00Z': time out of range (representable: 1677-09-21 to 2262-04-11)", at: 7, length: 20),
    ])
    func error(_ example: Case) {
        let error = parseError(example.query)
        #expect(error?.message == example.message)
        #expect(error?.position == example.position)
        #expect(error?.length == example.length)
        #expect(error?.query == example.query)
    }

    @Test func renderedShowsCaretUnderToken() throws {
        let error = try #require(parseError("host 10.0.0.300"))
        #expect(error.column == 6)
        #expect(error.description == "invalid IP address '10.0.0.300' at column 6")
        #expect(error.rendered == """
            invalid IP address '10.0.0.300' at column 6
            host 10.0.0.300
                 ^~~~~~~~~~
            """)
    }

    @Test func renderedAtEndOfQuery() throws {
        let error = try #require(parseError("host"))
        #expect(error.rendered == """
            expected an IP address after 'host' at column 5
            host
                ^
            """)
    }

    @Test func renderedReplacesWhitespaceSoColumnsLineUp() throws {
        let error = try #require(parseError("tcp\n\tand\tfoo"))
        #expect(error.position == 9)
        #expect(error.rendered == """
            unknown keyword 'foo' at column 10
            tcp  and foo
                     ^~~
            """)
    }

    @Test func positionsCountCharactersNotBytes() throws {
        let error = try #require(parseError("host 10.0.0.1 and ✓"))
        #expect(error.position == 18)
        #expect(error.length == 1)
        let combining = try #require(parseError("ho\u{302}st 10.0.0.1 and x"))  // o + combining circumflex
        #expect(combining.position == 0)
        #expect(combining.length == 4)
    }

    @Test func suggestionsOnlyForCloseWords() {
        #expect(Keywords.nearest(to: "hots", among: Keywords.operandStarts) == "host")
        #expect(Keywords.nearest(to: "PORTT", among: Keywords.operandStarts) == "port")
        #expect(Keywords.nearest(to: "befor", among: Keywords.operandStarts) == "before")
        #expect(Keywords.nearest(to: "xyzzy", among: Keywords.operandStarts) == nil)
        #expect(Keywords.nearest(to: "a", among: Keywords.operators) == nil)
    }
}

@Suite("Limits on hostile input")
struct LimitTests {
    @Test func deepParenthesesAreRefused() throws {
        let depth = Parser.maximumNesting
        #expect(try parse(String(repeating: "(", count: depth) + "tcp" + String(repeating: ")", count: depth)) == .ipProtocol(6))
        let error = try #require(parseError(String(repeating: "(", count: 100_000) + "tcp"))
        #expect(error.message == "nested too deeply (more than 100 parentheses and 'not's)")
        #expect(error.position == 100)
    }

    @Test func deepNotIsRefused() throws {
        let error = try #require(parseError(String(repeating: "not ", count: 100_000) + "tcp"))
        #expect(error.position == 400)
        #expect(try parse(String(repeating: "!", count: 100) + "tcp").description.hasPrefix("not not"))
    }

    @Test func longChainsAreBounded() throws {
        let hosts = (0..<1001).map { "host 10.0.\($0 / 256).\($0 % 256)" }
        let longest = try parse(hosts.joined(separator: " or "))
        #expect(longest.matches(Decoded.ipv4("10.0.3.232", "1.1.1.1", protocol: 6), at: testNow))
        #expect(try parse(longest.description) == longest)
        let error = try #require(parseError((hosts + ["tcp"]).joined(separator: " or ")))
        #expect(error.message == "expression too deep (more than 1000 nested operators)")
        #expect(error.length == 2)
    }
}
