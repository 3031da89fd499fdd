import Foundation

/// A running `tapedeck evidence` against the real broker, its standard error in a log file.
final class EvidenceProcess: @unchecked Sendable {
    let process: RunningProcess
    let directory: String
    private let log: String

    /// Starts `tapedeck evidence --store STORE --kafka-brokers BROKER --alerts-topic TOPIC
    /// --evidence-dir DIRECTORY --group GROUP ARGUMENTS -v`. The group's session timeout is short
    /// (6 s), so that a restart after kill -9 gets the partition back quickly.
    init(store: String, topic: String, directory: String, group: String, _ arguments: [String] = [],
         scratch: TemporaryDirectory) throws {
        self.directory = directory
        log = scratch.path("evidence-\(UUID().uuidString).log")
        process = try RunningProcess("/bin/sh", ["-c", "exec \"$0\" \"$@\" 2> \"\(log)\"", try Tool.tapedeck(), "evidence",
                                                 "--store", store, "--kafka-brokers", try KafkaBroker.address(),
                                                 "--alerts-topic", topic, "--evidence-dir", directory, "--group", group,
                                                 "-X", "session.timeout.ms=6000", "-v"] + arguments)
    }

    /// What the process logged so far.
    var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// The counters the process last wrote (`DIR/.evidence-stats.json`); empty before the first.
    var counters: [String: Any] {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: directory + "/.evidence-stats.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object
    }

    /// One counter (`written`, `expired`…), 0 before it was written.
    func counter(_ name: String) -> Int { counters[name] as? Int ?? 0 }

    /// One rejection counter by reason (`malformed_json`…).
    func rejected(_ reason: String) -> Int { (counters["rejected"] as? [String: Int])?[reason] ?? 0 }

    /// Polls the counters until `condition` holds (at most `seconds`).
    func waitFor(_ what: String, within seconds: Double = 60, _ condition: (EvidenceProcess) -> Bool) async throws {
        try await eventually(what, within: seconds) {
            if process.hasEnded { throw TestFailure(description: "tapedeck evidence ended: \(logText)") }
            return condition(self)
        }
    }

    /// SIGTERM, then the exit.
    func terminate() async -> ProcessResult {
        process.kill(SIGTERM)
        return await process.wait()
    }

    deinit {
        process.kill(SIGKILL)
    }
}

/// Evidence sidecars as the tests read them.
enum EvidenceFiles {
    /// The sidecars of `directory`, by id.
    static func sidecars(_ directory: String) throws -> [String: [String: Any]] {
        var result: [String: [String: Any]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)"))
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw TestFailure(description: "\(name) is not a JSON object")
            }
            result[String(name.dropLast(5))] = object
        }
        return result
    }

    /// Produces `lines` to `topic` with kcat (`-P -l`, one message per line).
    static func produce(_ lines: [String], topic: String, scratch: TemporaryDirectory) async throws {
        let file = scratch.path("alerts-\(UUID().uuidString).ndjson")
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let kcat = try Tool.find("kcat", package: "kcat")
        let result = try await ProcessRunner.run(kcat, ["-b", try KafkaBroker.address(), "-P", "-t", topic, "-l", file])
        guard result.succeeded else { throw TestFailure(description: "kcat -P failed: \(result.summary)") }
    }

    /// The lines of the real Suricata alerts for `ftp.pcap` and `no_sni.pcap`.
    static func realAlerts() throws -> [String] {
        try ["ftp.eve.json", "no_sni.eve.json"].flatMap { name in
            try String(contentsOfFile: Fixtures.path("alerts/\(name)"), encoding: .utf8).split(separator: "\n").map(String.init)
        }
    }

    /// Bad records: malformed JSON, another event type, an unknown protocol, and an alert from
    /// 2004, long before the store's oldest packet (its window was rotated out).
    static let badRecords = [
        #"{"timestamp":"2019-03-14T19:04:03.371057+0000","event_type":"alert","src_ip":"#,
        #"{"timestamp":"2019-03-14T19:04:03.371057+0000","event_type":"flow","src_ip":"192.168.1.212","dest_ip":"90.130.70.73","proto":"TCP"}"#,
        #"{"timestamp":"2019-03-14T19:04:03.371057+0000","event_type":"alert","src_ip":"192.168.1.212","dest_ip":"90.130.70.73","proto":"XTP-7"}"#,
        #"{"timestamp":"2004-05-13T10:17:09.123830+0000","event_type":"alert","src_ip":"2a00:1450:4007:080a:0000:0000:0000:200a","src_port":443,"dest_ip":"2a01:0e0a:0000:0000:0000:0000:0000:0001","dest_port":51234,"proto":"TCP","alert":{"signature_id":1}}"#,
    ]
}
