import Foundation
import Testing

/// Every endpoint of `tapedeck serve`, called with curl, on imported fixtures; the pcap results
/// against tcpdump on the original files.
/// One test at a time: each starts servers and curl processes, and the live-capture tests that
/// run beside this suite measure latencies that a burst of processes on two cores would skew.
@Suite("HTTP endpoints", .serialized)
struct HTTPEndpointTests {
    /// A server on a store of ftp.pcap (Ethernet) and rdp.pcap (BSD null).
    static func serve(_ arguments: [String] = []) async throws -> (ServeProcess, TemporaryDirectory) {
        let scratch = try TemporaryDirectory("http")
        let cli = try TapedeckCLI(in: scratch)
        try await cli.importSucceeding([Fixtures.path("ftp.pcap"), Fixtures.path("rdp.pcap")])
        return (try await ServeProcess(store: cli.store, arguments, scratch: scratch), scratch)
    }

    /// The FTP control connection the real Suricata alert is about.
    static let ftpFlow = (client: "192.168.1.212", clientPort: 50694, server: "90.130.70.73", serverPort: 21)
    static let ftpFilter = "host 192.168.1.212 and host 90.130.70.73 and tcp port 50694 and tcp port 21"

    /// The exact command Stenographer's stenoread runs (minus TLS), piped into tcpdump.
    @Test func stenoreadCurlInvocationPipedIntoTcpdump() async throws {
        let (server, scratch) = try await Self.serve()
        let output = scratch.path("stenoread.pcap")
        let query = "host 192.168.1.212 and port 50694"
        let command = "curl -s -H \"Steno-Limit-Packets: 1000000\" -H \"Steno-Limit-Bytes: 1000000000\" -d \"\(query)\" "
            + "\(server.url("/query")) | tcpdump --time-stamp-precision=nano -r - -w \(output)"
        let result = try await ProcessRunner.run("/bin/sh", ["-c", command])
        #expect(result.succeeded, "\(result.summary)")
        let oracle = try await Tcpdump.filter(Fixtures.path("ftp.pcap"), "host 192.168.1.212 and port 50694")
        #expect(oracle.count == 68)
        let packets = try CaptureFile(path: output).packets
        #expect(PacketComparison.difference(expected: PacketComparison.timeOrdered(oracle), actual: packets) == nil)

        // Stenographer's headers and content type; the limits cut the result.
        let limited = try await Curl.request(server.url("/query"), ["-H", "Steno-Limit-Packets: 5", "-d", query])
        #expect(limited.status == 200)
        #expect(limited.headers["content-type"] == "application/octet-stream")
        #expect(limited.headers["transfer-encoding"] == "chunked")
        #expect(try limited.capture().packets == Array(PacketComparison.timeOrdered(oracle).prefix(5)))
        let bytes = try await Curl.request(server.url("/query"), ["-H", "Steno-Limit-Bytes: 500", "-d", query])
        let capped = try bytes.capture().packets
        #expect(capped.reduce(0) { $0 + 16 + $1.data.count } <= 500 && !capped.isEmpty)
        #expect(capped == Array(PacketComparison.timeOrdered(oracle).prefix(capped.count)))
    }

    @Test func pcapByQueryAndByFiveTupleMatchesTcpdump() async throws {
        let (server, _) = try await Self.serve()
        let oracle = PacketComparison.timeOrdered(try await Tcpdump.filter(Fixtures.path("ftp.pcap"), Self.ftpFilter))
        #expect(!oracle.isEmpty)

        let byQuery = try await Curl.request(server.url("/v1/pcap"), ["-G", "--data-urlencode",
            "q=host 192.168.1.212 and host 90.130.70.73 and port 50694 and port 21 and tcp"])
        #expect(byQuery.status == 200)
        #expect(byQuery.headers["content-type"] == "application/vnd.tcpdump.pcap")
        #expect(byQuery.headers["content-disposition"] == "attachment; filename=\"tapedeck-begin-end.pcap\"")
        #expect(PacketComparison.difference(expected: oracle, actual: try byQuery.capture().packets) == nil)

        // The 5-tuple given one way round selects both directions.
        let byTuple = try await Curl.request(
            server.url("/v1/pcap?src=90.130.70.73&sport=21&dst=192.168.1.212&dport=50694&proto=tcp"))
        #expect(byTuple.status == 200)
        #expect(PacketComparison.difference(expected: oracle, actual: try byTuple.capture().packets) == nil)

        // A time window: start inclusive, end exclusive, and a file name that says which.
        let start = oracle[10].time, end = oracle[20].time
        let windowed = try await Curl.request(server.url("/v1/pcap?src=192.168.1.212&sport=50694&start=\(RFC3339.format(start))"
            + "&end=\(RFC3339.format(end))"))
        #expect(windowed.status == 200)
        #expect(PacketComparison.difference(expected: oracle.filter { $0.time >= start && $0.time < end },
                                            actual: try windowed.capture().packets) == nil)
        #expect(windowed.headers["content-disposition"]?.hasPrefix("attachment; filename=\"tapedeck-20190314T19") ?? false,
                "\(windowed.headers)")

        // pcapng, microseconds, a packet limit.
        let pcapng = try await Curl.request(server.url("/v1/pcap?src=192.168.1.212&sport=50694&format=pcapng&precision=us&limit_packets=7"))
        #expect(pcapng.headers["content-type"] == "application/x-pcapng")
        let file = try pcapng.capture()
        #expect(file.format == .pcapng && file.timestampResolutions == [6])
        #expect(PacketComparison.difference(expected: Array(oracle.prefix(7)), actual: file.packets) == nil)
    }

    @Test func resultsSpanningLinkTypesArePcapngUnlessPcapIsAskedFor() async throws {
        let (server, _) = try await Self.serve()
        let all = try await Curl.request(server.url("/v1/pcap?q=tcp"))
        #expect(all.status == 200)
        #expect(all.headers["content-type"] == "application/x-pcapng")
        let expected = PacketComparison.timeOrdered(try await Tcpdump.filter(Fixtures.path("ftp.pcap"), "tcp")
            + (try await Tcpdump.filter(Fixtures.path("rdp.pcap"), "tcp")))
        #expect(PacketComparison.difference(expected: expected, actual: try all.capture().packets) == nil)
        let refused = try await Curl.request(server.url("/v1/pcap?q=tcp&format=pcap"))
        #expect(refused.status == 400)
        #expect(try refused.json()["error"] as? String == "result spans link types")
    }

    @Test func theRealSuricataAlertForFtpPcap() async throws {
        let (server, _) = try await Self.serve()
        let alertFile = Fixtures.path("alerts/ftp.eve.json")
        let flowOracle = PacketComparison.timeOrdered(try await Tcpdump.filter(Fixtures.path("ftp.pcap"), Self.ftpFilter))

        // Default: the flow, 60 s around it (the whole 45 s capture).
        let flow = try await Curl.request(server.url("/v1/alerts"), ["--data-binary", "@\(alertFile)"])
        #expect(flow.status == 200, "\(flow.text)")
        #expect(flow.headers["content-disposition"] == "attachment; filename=\"tapedeck-alert-20190314T190403Z-736158315449115.pcap\"")
        #expect(PacketComparison.difference(expected: flowOracle, actual: try flow.capture().packets) == nil)

        // hosts: the control connection and the passive-mode data connections, 1 s around the
        // alert (from 1 s before the flow's start, 19:03:54.892296).
        let start = try #require(RFC3339.parseUTC("2019-03-14T19:03:53.892296Z"))
        let end = try #require(RFC3339.parseUTC("2019-03-14T19:04:04.371057Z"))
        let hostsOracle = PacketComparison.timeOrdered(try await Tcpdump.filter(Fixtures.path("ftp.pcap"), "host 192.168.1.212 and host 90.130.70.73"))
            .filter { $0.time >= start && $0.time < end }
        let hosts = try await Curl.request(server.url("/v1/alerts?granularity=hosts&before=1s&after=1s"), ["--data-binary", "@\(alertFile)"])
        #expect(hosts.status == 200)
        let packets = try hosts.capture().packets
        #expect(packets.count > flowOracle.count / 2)
        #expect(PacketComparison.difference(expected: hostsOracle, actual: packets) == nil)

        // src: everything of 90.130.70.73's side, as an array of the same alert twice.
        let alertText = try String(contentsOfFile: alertFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let dst = try await Curl.request(server.url("/v1/alerts?granularity=dst"), ["-H", "Content-Type: application/json",
                                                                                  "--data-binary", "[\(alertText),\(alertText)]"])
        #expect(dst.status == 200)
        #expect(PacketComparison.difference(
            expected: PacketComparison.timeOrdered(try await Tcpdump.filter(Fixtures.path("ftp.pcap"), "ip host 90.130.70.73")),
            actual: try dst.capture().packets) == nil)
    }

    @Test func statsMetricsHealthAndTheDocument() async throws {
        let (server, _) = try await Self.serve()
        _ = try await Curl.request(server.url("/query"), ["-d", "tcp and port 21"])
        _ = try await Curl.request(server.url("/query"), ["-d", "tcp and port 2l"])

        let stats = try await Curl.request(server.url("/v1/stats"))
        #expect(stats.status == 200 && stats.headers["content-type"] == "application/json")
        let json = try stats.json()
        let store = try #require(json["store"] as? [String: Any])
        let ftp = try CaptureFile(path: Fixtures.path("ftp.pcap")).packets.count
        let rdp = try CaptureFile(path: Fixtures.path("rdp.pcap")).packets.count
        #expect(store["packets"] as? Int == ftp + rdp)
        let window = try #require(store["window"] as? [String: Any])
        let times = try [Fixtures.path("ftp.pcap"), Fixtures.path("rdp.pcap")].flatMap { try CaptureFile(path: $0).packets.map(\.time) }
        #expect(window["start"] as? String == RFC3339.format(times.min() ?? 0), "\(window)")
        #expect(window["end"] as? String == RFC3339.format(times.max() ?? 0), "\(window)")
        let deletions = try #require(store["deletions"] as? [String: Int])
        #expect(deletions["segments"] == 0 && deletions["unacknowledgedPackets"] == 0)
        let queries = try #require(json["queries"] as? [String: Int])
        #expect(queries["served"] == 1 && queries["active"] == 0)
        #expect(json.keys.contains("capture"))

        let metrics = try await Curl.request(server.url("/metrics"))
        #expect(metrics.status == 200)
        #expect(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") ?? false)
        for line in ["tapedeck_http_requests_total{code=\"200\"}", "tapedeck_http_requests_total{code=\"400\"} 1",
                     "tapedeck_queries_total{outcome=\"served\"} 1", "tapedeck_store_packets \(ftp + rdp)",
                     "# TYPE tapedeck_query_duration_seconds histogram", "tapedeck_queries_active 0"] {
            #expect(metrics.text.contains(line), "no '\(line)' in /metrics")
        }

        let health = try await Curl.request(server.url("/healthz"))
        #expect(health.status == 200 && health.text == "{\"status\":\"ok\"}\n")

        let document = try await Curl.request(server.url("/openapi.yaml"))
        #expect(document.status == 200 && document.headers["content-type"] == "application/yaml")
        let file = Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("api/openapi.yaml")
        #expect(try document.body == [UInt8](Data(contentsOf: file)))
    }

    @Test func headAndUnknownRoutesAndMethods() async throws {
        let (server, _) = try await Self.serve()
        // `curl -I` writes the head where the body would go: nothing follows it.
        let head = try await Curl.request(server.url("/v1/pcap?q=tcp+and+port+21&format=pcapng"), ["-I"])
        #expect(head.status == 200 && head.text.hasSuffix("\r\n\r\n") && head.result.succeeded)
        #expect(head.headers["content-type"] == "application/x-pcapng")
        let headHealth = try await Curl.request(server.url("/healthz"), ["-I"])
        #expect(headHealth.status == 200 && headHealth.headers["content-length"] == "16" && !headHealth.text.contains("status"))

        let missing = try await Curl.request(server.url("/etc/passwd"))
        #expect(try missing.status == 404 && (missing.json()["error"] as? String) == "not found")
        let traversal = try await Curl.request(server.url("/../../etc/passwd"), ["--path-as-is"])
        #expect(traversal.status == 404)
        let wrongMethod = try await Curl.request(server.url("/v1/pcap"), ["-X", "DELETE"])
        #expect(wrongMethod.status == 405 && wrongMethod.headers["allow"] == "GET, HEAD")
        let getQuery = try await Curl.request(server.url("/query"))
        #expect(getQuery.status == 405 && getQuery.headers["allow"] == "POST")
    }

    /// curl reuses one connection for several URLs (HTTP/1.1 keep-alive), also after a 4xx.
    @Test func keepAlive() async throws {
        let (server, _) = try await Self.serve()
        let result = try await ProcessRunner.run(try Curl.path(), ["-sv", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
            server.url("/healthz"), server.url("/v1/pcap?q=port+21"), server.url("/v1/pcap?q=bogus")])
        #expect(result.succeeded, "\(result.summary)")
        let reused = result.stderrText.components(separatedBy: "Re-using existing connection").count - 1
        #expect(reused == 2, "curl did not reuse the connection:\n\(result.stderrText)")
        #expect(!result.stderrText.contains("Connection: close"))

        // HTTP/1.0: closed after each response unless asked to keep it.
        let old = try await ProcessRunner.run(try Curl.path(), ["-sv", "-0", "-o", "/dev/null", "-o", "/dev/null",
            server.url("/healthz"), server.url("/v1/pcap?q=port+21")])
        #expect(old.succeeded && !old.stderrText.contains("Re-using existing connection"), "\(old.stderrText)")
    }

    @Test func listensOnIPv6Loopback() async throws {
        let scratch = try TemporaryDirectory("http-v6")
        let cli = try TapedeckCLI(in: scratch)
        try await cli.importSucceeding([Fixtures.path("ftp.pcap")])
        let server = try await ServeProcess(store: cli.store, listen: "[::1]:0", scratch: scratch)
        #expect(server.address.hasPrefix("[::1]:"))
        let response = try await Curl.request(server.url("/v1/pcap?q=port+21"), ["-g"])
        #expect(try response.status == 200 && !(response.capture().packets.isEmpty))
    }

    /// An alert whose padded window reaches past now: with `wait`, the answer comes once the
    /// window is complete (1.5 s past its end, as nothing newer is stored), not before and not
    /// only when the wait runs out; without `wait`, at once. (Only bounds that load cannot
    /// break: the earliest answer, and answers far before the waits would end.)
    @Test func alertWindowInTheFutureIsWaitedFor() async throws {
        let (server, _) = try await Self.serve()
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        let alert = "{\"timestamp\":\"\(RFC3339.format(now))\",\"src_ip\":\"10.9.8.7\",\"dest_ip\":\"10.9.8.6\",\"proto\":\"UDP\"}"
        let started = Date()
        let waited = try await Curl.request(server.url("/v1/alerts?after=1s&wait=2m"), ["--data-binary", alert])
        let elapsed = Date().timeIntervalSince(started)
        #expect(try waited.status == 200 && (waited.capture().packets.isEmpty))
        #expect(elapsed >= 2.0 && elapsed < 60, "answered after \(elapsed) s")
        // Without `wait`, at once, although the window ends 10 minutes from now.
        let immediate = Date()
        #expect(try await Curl.request(server.url("/v1/alerts?after=10m"), ["--data-binary", alert]).status == 200)
        #expect(Date().timeIntervalSince(immediate) < 60)
    }

    @Test func shutsDownOnSIGTERM() async throws {
        let (server, _) = try await Self.serve()
        #expect(try await Curl.request(server.url("/healthz")).status == 200)
        let result = await server.terminate()
        #expect(result.succeeded, "\(result.summary)")
    }
}
