import Testing
import TapedeckCore
import TapedeckPOSIX
import TapedeckQuery
@testable import TapedeckHTTP

@Suite("HTTP server parts")
struct ServerPartsTests {
    @Test func formatsIMFFixdate() {
        #expect(HTTPDate.format(Timestamp(seconds: 784_111_777, nanoseconds: 5)) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(Timestamp(nanoseconds: 0)) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(TimeText.parseTime("2024-02-29T23:59:59Z")!) == "Thu, 29 Feb 2024 23:59:59 GMT")
        #expect(HTTPDate.compact(TimeText.parseTime("2019-03-14T19:04:03.371057Z")!) == "20190314T190403Z")
    }

    @Test func checksBearerTokens() {
        let tokens = BearerTokens(fileContents: Array("# tokens\n  alpha-1  \n\nbeta\r\n#gamma\n".utf8))
        #expect(tokens.count == 2)
        #expect(tokens.accepts(authorization: "Bearer alpha-1"))
        #expect(tokens.accepts(authorization: "bearer beta"))
        #expect(tokens.accepts(authorization: "BEARER  beta"))
        #expect(!tokens.accepts(authorization: nil))
        #expect(!tokens.accepts(authorization: "Bearer alpha"))
        #expect(!tokens.accepts(authorization: "Bearer alpha-12"))
        #expect(!tokens.accepts(authorization: "Bearer gamma"))
        #expect(!tokens.accepts(authorization: "Basic YWxwaGEtMQ=="))
        #expect(!tokens.accepts(authorization: "Bearer "))
        #expect(!tokens.accepts(authorization: "alpha-1"))
        #expect(BearerTokens([]).isEmpty)
        #expect(!BearerTokens([]).accepts(authorization: "Bearer x"))
    }

    @Test func routesByMethodAndPath() {
        var router = Router()
        router.add("GET", "/v1/pcap") { _, _ in }
        router.add("POST", "/v1/pcap") { _, _ in }
        router.add("GET", "/v1/evidence/{id}") { _, _ in }
        if case .found(let route, _) = router.match(method: "HEAD", path: "/v1/pcap") {
            #expect(route.method == "GET")
        } else {
            Issue.record("HEAD is not served by GET")
        }
        if case .found(_, let parameters) = router.match(method: "GET", path: "/v1/evidence/20190314_1_2") {
            #expect(parameters == ["id": "20190314_1_2"])
        } else {
            Issue.record("no placeholder match")
        }
        if case .methodNotAllowed(let allowed) = router.match(method: "DELETE", path: "/v1/pcap") {
            #expect(allowed == ["GET", "HEAD", "POST"])
        } else {
            Issue.record("DELETE is not 405")
        }
        for path in ["/v1/pcap/", "/v1/evidence/", "/v1/evidence", "/", "", "/v1/evidence/a/b"] {
            guard case .notFound = router.match(method: "GET", path: path) else {
                Issue.record("\(path) is not 404")
                continue
            }
        }
    }

    @Test(arguments: [
        ("127.0.0.1:8080", "127.0.0.1:8080", true, false),
        ("[::1]:8080", "[::1]:8080", true, true),
        ("0.0.0.0:0", "0.0.0.0:0", false, false),
        ("[::]:80", "[::]:80", false, true),
        ("127.1.2.3:1", "127.1.2.3:1", true, false),
        ("[::ffff:127.0.0.1]:9", "[::ffff:127.0.0.1]:9", true, true),
        ("192.168.1.5:65535", "192.168.1.5:65535", false, false),
    ])
    func parsesListenAddresses(_ text: String, _ printed: String, _ loopback: Bool, _ v6: Bool) throws {
        let address = try #require(SocketAddress(text))
        #expect(address.description == printed)
        #expect(address.isLoopback == loopback)
        #expect(address.isIPv6 == v6)
    }

    @Test(arguments: ["localhost:8080", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "::1:8080", "[::1]", "[::1]8080",
                      "[127.0.0.1]:80", "1.2.3:80", "127.0.0.1:+80", ""])
    func rejectsBadListenAddresses(_ text: String) {
        #expect(SocketAddress(text) == nil)
    }

    @Test func translatesFiveTupleParameters() throws {
        func expression(_ query: String) throws -> String? {
            let request = HTTPRequest(method: "GET", target: "/v1/pcap?" + query, path: "/v1/pcap",
                                      queryItems: try RequestTarget.parseQuery(Substring(query)))
            let parameters = try Parameters(request, allowed: ["src", "dst", "sport", "dport", "proto"])
            return try FlowParameters(parameters).expression?.description
        }
        #expect(try expression("src=10.0.0.1&sport=1234&dst=10.0.0.2&dport=80&proto=tcp")
            == "(src host 10.0.0.1 and src port 1234 and dst host 10.0.0.2 and dst port 80 or "
            + "src host 10.0.0.2 and src port 80 and dst host 10.0.0.1 and dst port 1234) and tcp")
        #expect(try expression("src=10.0.0.0/8") == "src net 10.0.0.0/8 or dst net 10.0.0.0/8")
        #expect(try expression("dport=53&proto=udp") == "(dst port 53 or src port 53) and udp")
        #expect(try expression("proto=icmp6") == "icmp6")
        #expect(try expression("proto=47") == "ip proto 47")
        #expect(try expression("") == nil)
        for bad in ["src=10.0.0", "src=10.0.0.0/33", "dst=::1/129", "sport=65536", "dport=-1", "proto=foo", "proto=256", "src=10.0.0.1&src=10.0.0.2", "bogus=1"] {
            #expect(throws: HTTPError.self, "\(bad)") { _ = try expression(bad) }
        }
    }

    @Test func namesDownloadsByTheirWindow() {
        let window = TimeWindow(start: TimeText.parseTime("2019-03-14T19:03:00Z")!, end: TimeText.parseTime("2019-03-14T19:06:00Z")!)
        #expect(HTTPServer.filenameStem(for: window) == "tapedeck-20190314T190300Z-20190314T190600Z")
        #expect(HTTPServer.filenameStem(for: .all) == "tapedeck-begin-end")
    }

    @Test func rendersQuerySyntaxErrorsWithTheirPosition() {
        #expect {
            try HTTPServer.parseQuery("host 10.0.0.300", now: Timestamp(nanoseconds: 0))
        } throws: { error in
            guard let error = error as? HTTPError else { return false }
            return error.status == .badRequest && error.position == 5
                && error.detail == "invalid IP address '10.0.0.300' at column 6\nhost 10.0.0.300\n     ^~~~~~~~~~"
                && error.body.serialized.contains(#""position":5"#)
        }
    }
}
