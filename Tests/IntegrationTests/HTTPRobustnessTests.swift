import Foundation
import Testing

/// Bad input, slow clients, clients that hang up, limits and authentication: the right 4xx/503,
/// and the server keeps serving afterwards.
/// One test at a time: each starts servers and curl processes, and the live-capture tests that
/// run beside this suite measure latencies that a burst of processes on two cores would skew.
@Suite("HTTP robustness", .serialized)
struct HTTPRobustnessTests {
    /// A server on a store of 15 back-to-back copies of ftp.pcap (17 MB of packets): a result
    /// far larger than the socket buffers, so that a client that stops reading holds its query.
    static func serveLargeStore(_ arguments: [String]) async throws -> (ServeProcess, TemporaryDirectory) {
        let scratch = try TemporaryDirectory("http-large")
        let (path, _) = try DerivedCaptures.repeated("ftp.pcap", copies: 15, spacing: 60_000_000_000, into: scratch)
        let cli = try TapedeckCLI(in: scratch)
        try await cli.importSucceeding([path])
        return (try await ServeProcess(store: cli.store, arguments, scratch: scratch), scratch)
    }

    /// Sends a query for the whole store and reads only the start of the response.
    static func stalledQuery(_ server: ServeProcess) async throws -> RawConnection {
        let connection = try RawConnection(port: server.port)
        connection.shrinkReceiveBuffer()
        connection.send("GET /v1/pcap?q=tcp HTTP/1.1\r\nHost: test\r\n\r\n")
        let start = await connection.read(atLeast: 100)
        guard String(decoding: start.prefix(15), as: UTF8.self) == "HTTP/1.1 200 OK" else {
            throw TestFailure(description: "unexpected answer: \(String(decoding: start, as: UTF8.self))")
        }
        return connection
    }

    @Test func clientDisconnectMidStreamFreesTheQuery() async throws {
        let (server, _) = try await Self.serveLargeStore([])
        let connection = try await Self.stalledQuery(server)
        try await eventually("the query is running") { try await queryStats(server)["active"] == 1 }
        connection.close()
        try await eventually("the query is freed") {
            let stats = try await queryStats(server)
            return stats["active"] == 0 && stats["clientGone"] == 1
        }
        // The server is healthy: the same query runs to completion for a client that reads.
        let response = try await Curl.request(server.url("/v1/pcap?q=tcp+and+port+21"))
        #expect(response.status == 200 && response.result.succeeded)
        #expect(try response.capture().packets.count > 100)
        #expect(try await queryStats(server)["served"] == 1)
    }

    @Test func concurrentQueryLimitAnswers503WithRetryAfter() async throws {
        let (server, _) = try await Self.serveLargeStore(["--max-concurrent-queries", "1"])
        let connection = try await Self.stalledQuery(server)
        try await eventually("the first query holds the only slot") { try await queryStats(server)["active"] == 1 }

        let rejected = try await Curl.request(server.url("/query"), ["-d", "port 21"])
        #expect(rejected.status == 503)
        #expect(rejected.headers["retry-after"] == "1")
        #expect(try rejected.json()["error"] as? String == "too many queries")
        // Everything that is not a query is still answered.
        #expect(try await Curl.request(server.url("/healthz")).status == 200)
        #expect(try await queryStats(server)["rejected"] == 1)

        connection.close()
        try await eventually("the slot is free again") { try await queryStats(server)["active"] == 0 }
        #expect(try await Curl.request(server.url("/query"), ["-d", "port 21"]).status == 200)
    }

    @Test func queryTimeLimitCutsTheResponse() async throws {
        let (server, _) = try await Self.serveLargeStore(["--query-timeout", "1s"])
        let connection = try await Self.stalledQuery(server)
        try await eventually("the query hits its time limit") { try await queryStats(server)["timedOut"] == 1 }
        #expect(try await queryStats(server)["active"] == 0)
        connection.close()
        // curl sees the cut as an incomplete transfer (exit 18), not as a complete result.
        let cut = try await Curl.request(server.url("/v1/pcap?q=tcp"), ["--limit-rate", "2M"])
        #expect(cut.result.status == 18, "\(cut.result.summary)")
    }

    @Test func resultBytesLimitCutsTheResultCleanly() async throws {
        let (server, _) = try await Self.serveLargeStore(["--max-result-bytes", "100KiB"])
        let response = try await Curl.request(server.url("/v1/pcap?q=tcp"))
        #expect(response.status == 200 && response.result.succeeded)
        let packets = try response.capture().packets
        #expect(!packets.isEmpty && packets.reduce(0) { $0 + 16 + $1.data.count } <= 100 * 1024)
        #expect(try await queryStats(server)["truncated"] == 1)
    }

    @Test func bearerTokens() async throws {
        let scratch = try TemporaryDirectory("http-auth")
        let cli = try TapedeckCLI(in: scratch)
        try await cli.importSucceeding([Fixtures.path("ftp.pcap")])
        let tokens = try scratch.write("tokens", Array("# API tokens\nsecret-token-1\nsecond-token\n".utf8))
        let server = try await ServeProcess(store: cli.store, ["--token-file", tokens], scratch: scratch)

        let missing = try await Curl.request(server.url("/query"), ["-d", "port 21"])
        #expect(missing.status == 401)
        #expect(missing.headers["www-authenticate"] == "Bearer realm=\"tapedeck\"")
        let wrong = try await Curl.request(server.url("/v1/pcap?q=port+21"), ["-H", "Authorization: Bearer secret-token-2"])
        #expect(wrong.status == 401)
        #expect(wrong.headers["www-authenticate"]?.contains("error=\"invalid_token\"") ?? false)
        #expect(try await Curl.request(server.url("/v1/stats"), ["-H", "Authorization: Basic c2VjcmV0"]).status == 401)
        #expect(try await Curl.request(server.url("/metrics")).status == 401)

        let right = try await Curl.request(server.url("/query"), ["-H", "Authorization: Bearer secret-token-1", "-d", "port 21"])
        #expect(try right.status == 200 && !(right.capture().packets.isEmpty))
        #expect(try await Curl.request(server.url("/v1/stats"), ["-H", "Authorization: Bearer second-token"]).status == 200)
        // Health checks need no token.
        #expect(try await Curl.request(server.url("/healthz")).status == 200)
    }

    @Test func refusesNonLoopbackWithoutTokens() async throws {
        let scratch = try TemporaryDirectory("http-remote")
        let cli = try TapedeckCLI(in: scratch)
        try await cli.importSucceeding([Fixtures.path("ftp.pcap")])
        let refused = try await ProcessRunner.run(try Tool.tapedeck(), ["serve", "--store", cli.store, "--listen", "0.0.0.0:0"])
        #expect(!refused.succeeded)
        #expect(refused.stderrText.contains("refusing to serve 0.0.0.0:0 without authentication"), "\(refused.stderrText)")
        let refused6 = try await ProcessRunner.run(try Tool.tapedeck(), ["serve", "--store", cli.store, "--listen", "[::]:0"])
        #expect(!refused6.succeeded)

        // With the explicit opt-out it starts (and is reached on loopback only).
        let server = try await ServeProcess(store: cli.store, ["--insecure-no-auth"], scratch: scratch)
        #expect(try await Curl.request(server.url("/healthz")).status == 200)
        #expect(await server.terminate().succeeded)
    }

    /// Raw requests curl would not send; each gets its status, and the connection is closed.
    @Test(arguments: [
        ("GARBAGE\r\n\r\n", 400),
        ("GET / HTTP/1.1\nHost: x\n\n", 400),
        ("GET /healthz HTTP/1.1\r\n\r\n", 400),
        ("GET /healthz HTTP/3.0\r\nHost: x\r\n\r\n", 505),
        ("GET /" + String(repeating: "a", count: 10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414),
        ("GET /healthz HTTP/1.1\r\nHost: x\r\n" + String(repeating: "X-Filler: 0123456789abcdef0123456789abcdef\r\n", count: 1000) + "\r\n", 431),
        ("POST /query HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("POST /query HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nport 21\r\n0\r\n\r\n", 400),
        ("POST /query HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n", 413),
    ])
    func malformedRequests(_ request: String, _ status: Int) async throws {
        let scratch = try TemporaryDirectory("http-malformed")
        let cli = try TapedeckCLI(in: scratch)
        try await cli.importSucceeding([Fixtures.path("rdp.pcap")])
        let server = try await ServeProcess(store: cli.store, scratch: scratch)
        let connection = try RawConnection(port: server.port)
        connection.send(request)
        let answer = String(decoding: await connection.readToEnd(), as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 \(status) "), "\(answer.prefix(300))")
        #expect(answer.contains("Connection: close") && answer.contains("\"error\":"), "\(answer.prefix(300))")
        connection.close()
        #expect(try await Curl.request(server.url("/healthz")).status == 200)
    }

    /// Two pipelined requests, then the client half-closes: both are answered, in order, and the
    /// server closes after the second (with or without `Connection: close`, depending on whether
    /// it read the end of input before answering).
    @Test func pipelinedRequestsFromAHalfClosedClient() async throws {
        let scratch = try TemporaryDirectory("http-pipeline")
        let cli = try TapedeckCLI(in: scratch)
        try await cli.importSucceeding([Fixtures.path("ftp.pcap")])
        let server = try await ServeProcess(store: cli.store, scratch: scratch)
        let connection = try RawConnection(port: server.port)
        connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nPOST /query HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\nport 21")
        connection.finishSending()
        let answer = String(decoding: await connection.readToEnd(limit: 1 << 24), as: UTF8.self)
        connection.close()
        let statuses = answer.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.prefix(3) }
        #expect(statuses == ["200", "200"], "\(answer.prefix(400))")
        #expect(answer.contains("{\"status\":\"ok\"}") && answer.contains("Content-Type: application/octet-stream"))
        // The server closed after the last response (readToEnd returned), which ended complete.
        #expect(answer.hasSuffix("0\r\n\r\n"))
    }

    @Test func badInputThroughCurl() async throws {
        let scratch = try TemporaryDirectory("http-bad")
        let cli = try TapedeckCLI(in: scratch)
        try await cli.importSucceeding([Fixtures.path("ftp.pcap")])
        let server = try await ServeProcess(store: cli.store, scratch: scratch)

        let query = try await Curl.request(server.url("/query"), ["-d", "host 10.0.0.1 and prot 80"])
        #expect(query.status == 400)
        let error = try query.json()
        #expect(error["error"] as? String == "invalid query")
        #expect(error["position"] as? Int == 18)
        #expect((error["detail"] as? String)?.contains("host 10.0.0.1 and prot 80\n                  ^~~~") ?? false, "\(error)")

        let json = try await Curl.request(server.url("/v1/alerts"), ["--data-binary", "{\"timestamp\": \"2019-03-14T19:04:03Z\",}"])
        #expect(json.status == 400)
        #expect(try json.json()["position"] as? Int == 37)
        let alert = try await Curl.request(server.url("/v1/alerts"), ["--data-binary", "{\"timestamp\": \"2019-03-14T19:04:03Z\"}"])
        #expect(try alert.status == 400 && (alert.json()["detail"] as? String) == "alert 0: missing 'src_ip'")

        for (path, name) in [("/v1/pcap?q=tcp&limit_packets=-1", "limit_packets"), ("/v1/pcap?q=tcp&format=pcapx", "format"),
                             ("/v1/pcap?q=tcp&start=yesterday", "start"), ("/v1/pcap?dport=70000", "dport"),
                             ("/v1/pcap?q=tcp&bogus=1", "bogus"), ("/v1/alerts?wait=1h", "wait"), ("/v1/stats?x=1", "x")] {
            let response = try await Curl.request(server.url(path), path.hasPrefix("/v1/alerts") ? ["-d", "{}"] : [])
            #expect(response.status == 400, "\(path)")
            #expect(try (response.json()["detail"] as? String)?.hasPrefix(name + ":") ?? false, "\(path): \(response.text)")
        }
        let missing = try await Curl.request(server.url("/v1/pcap"))
        #expect(try missing.status == 400 && (missing.json()["error"] as? String) == "missing query")

        // A body over 4 MiB: 413, which curl reads (the server drains instead of resetting).
        let big = try scratch.write("big", [UInt8](repeating: 0x20, count: 5 << 20))
        let tooLarge = try await Curl.request(server.url("/query"), ["--data-binary", "@\(big)"])
        #expect(tooLarge.status == 413, "\(tooLarge.result.summary)")

        // Expect: 100-continue (curl sends it for bodies over 1 MiB) and a chunked upload.
        let spaces = try scratch.write("spaced", Array(("port 21" + String(repeating: " ", count: 2 << 20)).utf8))
        let continued = try await Curl.request(server.url("/query"), ["--data-binary", "@\(spaces)"])
        #expect(try continued.status == 200 && !(continued.capture().packets.isEmpty))
        let chunked = try await Curl.request(server.url("/query"), ["-H", "Transfer-Encoding: chunked", "--data-binary", "@\(spaces)"])
        #expect(try chunked.status == 200 && !(chunked.capture().packets.isEmpty))

        #expect(try await Curl.request(server.url("/healthz")).status == 200)
    }

    /// Slowloris: clients that send a header byte now and then are cut off at the head deadline
    /// and hold no worker meanwhile: more of them than there are workers, and queries still run.
    @Test func slowClientsAreCutOffAndHoldNoWorker() async throws {
        let scratch = try TemporaryDirectory("http-slow")
        let cli = try TapedeckCLI(in: scratch)
        try await cli.importSucceeding([Fixtures.path("ftp.pcap")])
        let server = try await ServeProcess(store: cli.store, ["--header-timeout", "2s", "--max-concurrent-queries", "2"], scratch: scratch)
        let started = Date()
        let slow = try (0..<12).map { _ in try RawConnection(port: server.port) }
        let head = Array("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8)
        var cutOff = Set<Int>()
        var index = 0
        // Without the deadline they would be cut off never: they keep sending for 20 s.
        while cutOff.count < slow.count, Date().timeIntervalSince(started) < 20 {
            for (number, connection) in slow.enumerated() where !cutOff.contains(number) {
                if index < head.count ? !connection.send([head[index]]) : !connection.send("a") { cutOff.insert(number) }
            }
            index += 1
            // Meanwhile, real requests are served at once.
            if index == 5 {
                let query = try await Curl.request(server.url("/query"), ["-d", "port 21", "--max-time", "15"])
                #expect(query.status == 200)
            }
            try await Task.sleep(nanoseconds: 250_000_000)
            if index > 12 {
                for (number, connection) in slow.enumerated() where !cutOff.contains(number) {
                    let answer = String(decoding: await connection.read(atLeast: 12), as: UTF8.self)
                    if answer.hasPrefix("HTTP/1.1 408") { cutOff.insert(number) }
                }
            }
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(cutOff.count == slow.count, "\(slow.count - cutOff.count) slow clients were not cut off")
        #expect(elapsed < 15, "slow clients were cut off only after \(elapsed) s")
        for connection in slow { connection.close() }
        #expect(try await Curl.request(server.url("/healthz")).status == 200)
    }
}
