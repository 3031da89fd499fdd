import Testing
@testable import TapedeckHTTP

@Suite("HTTP request parser")
struct RequestParserTests {
    /// Parses `text` fed all at once; the request and the bytes it took.
    private func parse(_ text: String, limits: RequestLimits = RequestLimits()) throws(HTTPError) -> (HTTPRequest, Int)? {
        var parser = RequestParser(limits: limits)
        switch try parser.parse(Array(text.utf8)) {
        case .needMore: return nil
        case .complete(let request, let consumed): return (request, consumed)
        }
    }

    /// Parses `text` fed one byte at a time, as a slow client sends it.
    private func parseTrickled(_ text: String) throws(HTTPError) -> HTTPRequest? {
        var parser = RequestParser(limits: RequestLimits())
        var buffer: [UInt8] = []
        for byte in text.utf8 {
            buffer.append(byte)
            if case .complete(let request, let consumed) = try parser.parse(buffer) {
                #expect(consumed == buffer.count)
                return request
            }
        }
        return nil
    }

    /// The error `text` is rejected with.
    private func failure(_ text: String, limits: RequestLimits = RequestLimits()) -> HTTPError? {
        do throws(HTTPError) {
            _ = try parse(text, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test func parsesAGetRequest() throws {
        let text = "GET /v1/pcap?q=host+10.0.0.1%20and%20tcp&format=pcapng HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"
        let (request, consumed) = try #require(try parse(text))
        #expect(consumed == text.utf8.count)
        #expect(request.method == "GET")
        #expect(request.path == "/v1/pcap")
        #expect(request.queryItem("q") == "host 10.0.0.1 and tcp")
        #expect(request.queryItem("format") == "pcapng")
        #expect(request.headers["host"] == "localhost:8080")
        #expect(request.headers["USER-AGENT"] == "curl/7.88.1")
        #expect(request.minorVersion == 1 && request.keepAlive)
        #expect(request.body.isEmpty)
    }

    @Test func parsesTheSameRequestByteByByte() throws {
        let text = "POST /query HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\nhost 1.2"
        let request = try #require(try parseTrickled(text))
        #expect(String(decoding: request.body, as: UTF8.self) == "host 1.2")
        let chunked = "POST /query HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nhost\r\n4;ext=1\r\n 1.2\r\n0\r\nTrailer: yes\r\n\r\n"
        let decoded = try #require(try parseTrickled(chunked))
        #expect(String(decoding: decoded.body, as: UTF8.self) == "host 1.2")
    }

    @Test func leavesPipelinedRequestsInTheBuffer() throws {
        let first = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        let second = "GET /v1/stats HTTP/1.1\r\nHost: x\r\n\r\n"
        let (request, consumed) = try #require(try parse(first + second))
        #expect(request.path == "/healthz")
        #expect(consumed == first.utf8.count)
    }

    @Test func decodesChunkedBodies() throws {
        let text = "POST /v1/alerts HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "a\r\n0123456789\r\n1F\r\n" + String(repeating: "x", count: 31) + "\r\n0\r\n\r\n"
        let (request, consumed) = try #require(try parse(text))
        #expect(request.body.count == 41)
        #expect(consumed == text.utf8.count)
        #expect(try parse("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabc") == nil)
    }

    @Test func readsConnectionAndExpectation() throws {
        #expect(try #require(try parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).0.keepAlive == false)
        #expect(try #require(try parse("GET / HTTP/1.0\r\n\r\n")).0.keepAlive == false)
        #expect(try #require(try parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")).0.keepAlive)
        var parser = RequestParser(limits: RequestLimits())
        let head = "POST /query HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"
        guard case .needMore = try parser.parse(Array(head.utf8)) else { Issue.record("complete without a body"); return }
        #expect(parser.expectsContinue && parser.isReadingBody)
    }

    @Test func skipsEmptyLinesBeforeTheRequestLine() throws {
        #expect(try #require(try parse("\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")).0.path == "/healthz")
    }

    @Test func acceptsAbsoluteFormTargets() throws {
        let (request, _) = try #require(try parse("GET http://127.0.0.1:8080/v1/stats?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
        #expect(request.path == "/v1/stats")
        #expect(request.queryItem("x") == "1")
    }

    @Test func acceptsRepeatedEqualContentLengths() throws {
        let (request, _) = try #require(try parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab"))
        #expect(request.body == Array("ab".utf8))
    }

    /// Malformed input, smuggling attempts and oversized requests, with the status each gets.
    @Test(arguments: [
        ("GET / HTTP/1.1\nHost: x\n\n", 400, "bare LF"),
        ("GET / HTTP/1.1\r\nHost: x\rY\r\n\r\n", 400, "bare CR"),
        ("GET /  HTTP/1.1\r\nHost: x\r\n\r\n", 400, "request line"),
        ("GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n", 400, "request line"),
        ("G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "invalid method"),
        ("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400, "request line"),
        ("GET /\u{7F} HTTP/1.1\r\nHost: x\r\n\r\n", 400, "invalid character"),
        ("GET /#frag HTTP/1.1\r\nHost: x\r\n\r\n", 400, "fragment"),
        ("GET x HTTP/1.1\r\nHost: x\r\n\r\n", 400, "request target"),
        ("GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400, "percent-encoding"),
        ("GET /?q=%e9 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "percent-encoding or UTF-8"),
        ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "HTTP/2.0"),
        ("GET / HTTP/1.x\r\nHost: x\r\n\r\n", 400, "invalid HTTP version"),
        ("GET / FTP/1.1\r\nHost: x\r\n\r\n", 400, "invalid HTTP version"),
        ("GET / HTTP/1.1\r\n\r\n", 400, "exactly one Host"),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "exactly one Host"),
        ("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, "invalid header field name"),
        ("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400, "line folding"),
        ("GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400, "without a field name"),
        ("GET / HTTP/1.1\r\nHost: x\r\n: value\r\n\r\n", 400, "without a field name"),
        ("GET / HTTP/1.1\r\nHost: x\r\nX: a\u{01}b\r\n\r\n", 400, "control character"),
        // Request smuggling: conflicting or ambiguous framing.
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "both Transfer-Encoding and Content-Length"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\nabc", 400, "both Transfer-Encoding and Content-Length"),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "HTTP/1.0"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400, "final transfer coding"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n", 400, "final transfer coding"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "gzip"),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400, "invalid Content-Length"),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\nab", 400, "invalid Content-Length"),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +1\r\n\r\na", 400, "invalid Content-Length"),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400, "invalid Content-Length"),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n", 400, "invalid Content-Length"),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", 400, "invalid Content-Length"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "invalid chunk size"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", 400, "invalid chunk size"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", 400, "invalid chunk size"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", 400, "not followed by CRLF"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc", 400, "bare LF"),
        // Too large.
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4194305\r\n\r\n", 413, "exceeds 4194304"),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413, "exceeds"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n400001\r\n", 413, "exceeds"),
    ])
    func rejectsWithTheRightStatus(_ text: String, _ status: Int, _ detail: String) {
        let error = failure(text)
        #expect(error?.status.code == status, "\(text.debugDescription): \(String(describing: error))")
        #expect(error?.detail.contains(detail) ?? false, "\(text.debugDescription): \(String(describing: error))")
    }

    @Test func limitsTheRequestLine() {
        let long = "GET /" + String(repeating: "a", count: 8 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n"
        #expect(failure(long)?.status == .uriTooLong)
        // Detected before the line ends, however slowly it arrives.
        var parser = RequestParser(limits: RequestLimits())
        #expect(throws: HTTPError.self) { _ = try parser.parse(Array(("GET /" + String(repeating: "a", count: 9000)).utf8)) }
        let fits = "GET /" + String(repeating: "a", count: 8 * 1024 - 15) + " HTTP/1.1\r\nHost: x\r\n\r\n"
        #expect(failure(fits) == nil)
    }

    @Test func limitsTheHeaderSection() {
        let big = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 33 * 1024) + "\r\n\r\n"
        #expect(failure(big)?.status == .requestHeaderFieldsTooLarge)
        var parser = RequestParser(limits: RequestLimits())
        let endless = "GET / HTTP/1.1\r\nHost: x\r\n" + String(repeating: "X-A: b\r\n", count: 6000)
        #expect(throws: HTTPError.self) { _ = try parser.parse(Array(endless.utf8)) }
        let many = "GET / HTTP/1.1\r\nHost: x\r\n" + (0..<100).map { "X-\($0): y\r\n" }.joined() + "\r\n"
        #expect(failure(many)?.status == .requestHeaderFieldsTooLarge)
        let hundred = "GET / HTTP/1.1\r\nHost: x\r\n" + (0..<99).map { "X-\($0): y\r\n" }.joined() + "\r\n"
        #expect(failure(hundred) == nil)
    }

    @Test func limitsChunkedTrailers() {
        var limits = RequestLimits()
        limits.headerBytes = 64
        let text = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: " + String(repeating: "a", count: 100) + "\r\n\r\n"
        #expect(failure(text, limits: limits)?.status == .badRequest)
    }

    @Test func framingErrorsCloseTheConnection() {
        #expect(failure("GET / HTTP/1.1\nHost: x\n\n")?.closesConnection == true)
        #expect(failure("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n")?.closesConnection == true)
    }
}
