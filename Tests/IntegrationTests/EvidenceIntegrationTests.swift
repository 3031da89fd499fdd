import Foundation
import Testing

/// `tapedeck evidence` against the real broker: real Suricata alerts produced with kcat, evidence
/// carved from an imported store, each pcap equal to tcpdump on the original capture for its
/// granularity and window; kill -9 mid-topic loses no alert and duplicates no file; bad records
/// are counted and skipped; `tapedeck serve --evidence-dir` lists and serves the evidence.
@Suite("Evidence from Kafka alerts", .serialized)
struct EvidenceIntegrationTests {
    static let captures = ["ftp.pcap", "no_sni.pcap"]

    /// A store of the captures the real alerts are about.
    static func store(_ scratch: TemporaryDirectory) async throws -> TapedeckCLI {
        let cli = try TapedeckCLI(in: scratch)
        try await cli.importSucceeding(captures.map(Fixtures.path))
        return cli
    }

    /// The tcpdump oracle for one sidecar: the filter of its granularity on the capture that
    /// holds the flow, cut to its window (`after` inclusive, `before` exclusive).
    static func oracle(_ sidecar: [String: Any], granularity: String) async throws -> [CapturedPacket] {
        let alerts = try #require(sidecar["alerts"] as? [[String: Any]])
        let alert = alerts[0]
        let source = try #require(alert["src_ip"] as? String), destination = try #require(alert["dest_ip"] as? String)
        let proto = (alert["proto"] as? String ?? "").lowercased()
        let filter: String
        switch granularity {
        case "flow":
            let sourcePort = try #require(alert["src_port"] as? Int), destinationPort = try #require(alert["dest_port"] as? Int)
            filter = "host \(source) and host \(destination) and \(proto) port \(sourcePort) and \(proto) port \(destinationPort)"
        case "hosts":
            filter = "host \(source) and host \(destination)"
        default:
            throw TestFailure(description: "no oracle for granularity \(granularity)")
        }
        let window = try #require(sidecar["window"] as? [String: String])
        let start = try #require(window["start"].flatMap(RFC3339.parseUTC)), end = try #require(window["end"].flatMap(RFC3339.parseUTC))
        var packets: [CapturedPacket] = []
        for capture in captures {
            packets += try await Tcpdump.filter(Fixtures.path(capture), filter).filter { $0.time >= start && $0.time < end }
        }
        return PacketComparison.timeOrdered(packets)
    }

    /// Each evidence pcap is what tcpdump selects; its sidecar's count and digest are right.
    static func checkAgainstOracle(_ directory: String, granularity: String) async throws -> Int {
        let sidecars = try EvidenceFiles.sidecars(directory)
        for (id, sidecar) in sidecars {
            let capture = try CaptureFile(path: "\(directory)/\(id).pcap")
            let expected = try await oracle(sidecar, granularity: granularity)
            #expect(!expected.isEmpty)
            #expect(PacketComparison.difference(expected: expected, actual: capture.packets) == nil, "\(id)")
            #expect(sidecar["packets"] as? Int == expected.count)
            let sha = try await ProcessRunner.run("/usr/bin/sha256sum", ["\(directory)/\(id).pcap"])
            #expect(sha.stdoutText.hasPrefix(sidecar["sha256"] as? String ?? "-"))
        }
        return sidecars.count
    }

    @Test func realAlertsBecomeEvidenceEqualToTcpdumpAndBadRecordsAreCounted() async throws {
        let scratch = try TemporaryDirectory("evidence")
        let cli = try await Self.store(scratch)
        let topic = KafkaBroker.uniqueTopic("alerts")
        let alerts = try EvidenceFiles.realAlerts()
        try await EvidenceFiles.produce(EvidenceFiles.badRecords + alerts + [alerts[0]], topic: topic, scratch: scratch)

        let flowDirectory = scratch.path("evidence-flow")
        let flow = try EvidenceProcess(store: cli.store, topic: topic, directory: flowDirectory, group: "flow", scratch: scratch)
        try await flow.waitFor("every record handled") { $0.counter("consumed") == EvidenceFiles.badRecords.count + alerts.count + 1 && $0.counter("pending") == 0 }
        #expect(flow.counter("written") == alerts.count)
        #expect(flow.counter("redelivered") == 1)  // the repeated alert is in its sidecar already
        #expect(flow.counter("ignored") == 1)
        #expect(flow.counter("expired") == 1)
        #expect(flow.rejected("malformed_json") == 1)
        #expect(flow.rejected("unknown_protocol") == 1)
        let log = flow.logText
        #expect(log.contains("reason=malformed_json") && log.contains("reason=unknown_protocol") && log.contains("window retention deleted"))
        #expect(try await Self.checkAgainstOracle(flowDirectory, granularity: "flow") == alerts.count)
        let ended = await flow.terminate()
        #expect(ended.succeeded, "\(ended.summary)")

        // Another group, hosts granularity, 5 s of padding: the same alerts, other packets.
        let hostsDirectory = scratch.path("evidence-hosts")
        let hosts = try EvidenceProcess(store: cli.store, topic: topic, directory: hostsDirectory, group: "hosts",
                                        ["--granularity", "hosts", "--before", "5s", "--after", "5s"], scratch: scratch)
        try await hosts.waitFor("every record handled") { $0.counter("consumed") == EvidenceFiles.badRecords.count + alerts.count + 1 && $0.counter("pending") == 0 }
        #expect(try await Self.checkAgainstOracle(hostsDirectory, granularity: "hosts") == alerts.count)
        _ = await hosts.terminate()

        // The HTTP API lists and serves the evidence, and reports the counters.
        let server = try await ServeProcess(store: cli.store, ["--evidence-dir", flowDirectory], scratch: scratch)
        let list = try await Curl.request(server.url("/v1/evidence"))
        #expect(list.status == 200)
        let entries = try #require(try list.json()["evidence"] as? [[String: Any]])
        #expect(entries.count == alerts.count)
        let ftp = try await Curl.request(server.url("/v1/evidence?signature_id=9000004&start=2019-03-14T00:00:00Z&end=2019-03-15T00:00:00Z"))
        let ftpEntries = try #require(try ftp.json()["evidence"] as? [[String: Any]])
        #expect(ftpEntries.map { $0["id"] as? String } == ["20190314T190403Z_9000004_736158315449115"])
        let pcap = try await Curl.request(server.url("/v1/evidence/20190314T190403Z_9000004_736158315449115"))
        #expect(pcap.status == 200)
        #expect(pcap.body == [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(flowDirectory)/20190314T190403Z_9000004_736158315449115.pcap"))))
        #expect(try await Curl.request(server.url("/v1/evidence/20190314T190403Z_1_2")).status == 404)
        #expect(try await Curl.request(server.url("/v1/evidence/..%2F..%2Fetc%2Fpasswd")).status == 404)
        #expect(try await Curl.request(server.url("/v1/evidence/.."), ["--path-as-is"]).status == 400)
        let stats = try await Curl.request(server.url("/v1/stats"))
        let evidence = try #require(try stats.json()["evidence"] as? [String: Any])
        #expect(evidence["written"] as? Int == alerts.count)
        #expect((evidence["rejected"] as? [String: Int])?["unknown_protocol"] == 1)
        let metrics = try await Curl.request(server.url("/metrics"))
        #expect(metrics.text.contains("tapedeck_evidence_alerts_rejected{reason=\"malformed_json\"} 1"))
        #expect(metrics.text.contains("tapedeck_evidence_alerts{outcome=\"expired\"} 1"))
        _ = await server.terminate()
    }

    @Test func killNineMidTopicLosesNoAlertAndDuplicatesNoFile() async throws {
        let scratch = try TemporaryDirectory("evidence-kill")
        let cli = try await Self.store(scratch)
        let topic = KafkaBroker.uniqueTopic("alerts-kill")
        // 400 alerts: the real ones, each as 100 flows (flow ids prefixed by 101…200), in topic order.
        let real = try EvidenceFiles.realAlerts()
        let alerts = (101...200).flatMap { copy in
            real.map { line in
                line.replacingOccurrences(of: #""flow_id":"#, with: #""flow_id":\#(copy)"#)
            }
        }
        try await EvidenceFiles.produce(alerts, topic: topic, scratch: scratch)

        let directory = scratch.path("evidence")
        // Static membership (KIP-345): the restarted process takes the killed one's place in the
        // group at once, instead of after its session timeout (noida-db never expires the dead
        // member of a group otherwise).
        let group = "kill-\(UUID().uuidString.prefix(8))"
        let member = ["-X", "group.instance.id=\(group)-0"]
        let first = try EvidenceProcess(store: cli.store, topic: topic, directory: directory, group: group, member, scratch: scratch)
        // Well into the topic (the consumer commits after every 250 ms of work), far from its end.
        try await eventually("some evidence written", within: 60) {
            ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".json") }.count >= 150
        }
        first.process.kill(SIGKILL)
        let killed = await first.process.wait()
        #expect(killed.signaled)
        let atKill = try EvidenceFiles.sidecars(directory).count
        #expect(atKill < alerts.count, "the kill must land mid-topic")

        let second = try EvidenceProcess(store: cli.store, topic: topic, directory: directory, group: group, member, scratch: scratch)
        try await eventually("every alert in a sidecar", within: 120) { try EvidenceFiles.sidecars(directory).count == alerts.count }
        try await second.waitFor("the counters written") { $0.counter("pending") == 0 && $0.counter("consumed") > 0 }
        _ = await second.terminate()
        // It resumed after what the first one committed, and took over what it had not.
        #expect(second.counter("consumed") < alerts.count)
        #expect(second.counter("written") + second.counter("redelivered") == second.counter("consumed"))
        #expect(second.counter("written") == alerts.count - atKill)

        let sidecars = try EvidenceFiles.sidecars(directory)
        let produced = alerts.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["flow_id"] as? Int
        }
        #expect(Set(produced).count == alerts.count)
        let inSidecars = sidecars.values.flatMap { ($0["alerts"] as? [[String: Any]] ?? []).compactMap { $0["flow_id"] as? Int } }
        #expect(inSidecars.count == alerts.count, "each alert in exactly one sidecar")
        #expect(Set(inSidecars) == Set(produced))
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(names.filter { $0.hasSuffix(".pcap") }.count == alerts.count)
        #expect(names.filter { $0.hasSuffix(".tmp") }.isEmpty)
        for (id, sidecar) in sidecars.prefix(20) {
            let capture = try CaptureFile(path: "\(directory)/\(id).pcap")
            #expect(capture.packets.count == sidecar["packets"] as? Int)
        }
    }
}
