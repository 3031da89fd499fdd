import Foundation
import Testing

/// Retention through the CLI: an import under a disk budget, and an import onto a file system
/// that fills up.
@Suite("Retention", .serialized)
struct RetentionIntegrationTests {
    /// Bytes of the files in `directory` right now (files may vanish while we look).
    static func directoryBytes(_ directory: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.reduce(0) { total, name in
            let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size] as? Int) ?? 0
            return total + size
        }
    }

    /// `tapedeck retention --json` of the CLI's store.
    static func retentionReport(_ cli: TapedeckCLI) async throws -> [String: Any] {
        let scratch = try TemporaryDirectory("retention")
        let output = scratch.path("report.json")
        let result = try await cli.run("retention", ["--json"], stdoutPath: output)
        guard result.succeeded else { throw TestFailure(description: "retention --json: \(result.summary)") }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output)))
        guard let report = json as? [String: Any] else { throw TestFailure(description: "retention --json is not an object") }
        return report
    }

    /// ~200 MB of real traffic: 340 copies of no_sni.pcap (4.1 s each), 5 s apart.
    @Test func anImportUnderADiskBudgetKeepsTheNewestDataWithinTheBudget() async throws {
        let scratch = try TemporaryDirectory("budget")
        let (input, packets) = try DerivedCaptures.repeated("no_sni.pcap", copies: 340, spacing: 5_000_000_000, into: scratch)
        let cli = try TapedeckCLI(in: scratch)
        let budget = 50 << 20
        let segmentLimit = budget / 8  // segments are cut at an eighth of the budget
        let importer = try RunningProcess(cli.executable, ["import", "--store", cli.store, "--no-progress",
                                                           "--disk-budget", "50MiB", input])
        var largest = 0
        var samples = 0
        while !importer.hasEnded {
            largest = max(largest, Self.directoryBytes(cli.store))
            samples += 1
            try await Task.sleep(nanoseconds: 2_000_000)
        }
        let result = await importer.wait()
        #expect(result.succeeded, "\(result.summary)")
        #expect(largest <= budget + segmentLimit + (64 << 10), "the store reached \(largest) bytes (\(samples) samples)")
        let final = Self.directoryBytes(cli.store)
        #expect(final <= budget + (64 << 10), "after the import the store holds \(final) bytes")

        let report = try await Self.retentionReport(cli)
        let deleted = try #require(report["deleted"] as? [String: Any])
        let deletedPackets = try #require(deleted["packets"] as? Int)
        #expect(try #require(deleted["segments"] as? Int) > 0)
        // The newest packets are kept, the oldest are gone, and nothing else is missing.
        let exported = try await cli.exportAll()
        #expect(exported.count + deletedPackets == packets.count)
        if let difference = PacketComparison.difference(expected: Array(packets.suffix(exported.count)), actual: exported) {
            Issue.record("the store does not hold the newest packets: \(difference)")
        }
        // Queries on the kept window equal tcpdump's answer over the input, from the oldest kept packet on.
        let oldestKept = try #require(exported.first?.time)
        for (query, filter) in [("tcp port 443", "tcp port 443"), ("udp", "udp"),
                                ("host 192.168.1.12 and not port 443", "ip host 192.168.1.12 and not port 443")] {
            let expected = try await Tcpdump.filter(input, filter).filter { $0.time >= oldestKept }
            let actual = try await cli.queryPackets(query).packets
            if let difference = PacketComparison.difference(expected: expected, actual: actual) {
                Issue.record("'\(query)' on the kept window: \(difference)")
            }
        }
        #expect(try await cli.verify().succeeded)
    }

    /// A 24 MiB tmpfs and ~60 MB of packets: the importer deletes the oldest segments to make
    /// room, never writes a torn segment, and finishes.
    @Test func anImportOntoAFullFileSystemKeepsGoingWithinTheSpace() async throws {
        try #require(getuid() == 0, "this test mounts a tmpfs and must run as root (CI runs it as root)")
        let scratch = try TemporaryDirectory("enospc")
        let (input, packets) = try DerivedCaptures.repeated("no_sni.pcap", copies: 100, spacing: 5_000_000_000, into: scratch)
        let mountPoint = scratch.path("small")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mount = try await ProcessRunner.run("/bin/mount", ["-t", "tmpfs", "-o", "size=24m", "tapedeck-test", mountPoint])
        try #require(mount.succeeded, "mount: \(mount.summary)")
        defer { _ = umount2(mountPoint, Int32(MNT_DETACH)) }
        let cli = try TapedeckCLI(store: mountPoint + "/store")

        let result = try await cli.importFiles([input])
        #expect(result.succeeded, "\(result.summary)")
        #expect(result.stderrText.contains("disk full"), "no disk-full deletion was logged: \(result.stderrText)")
        #expect(try await cli.verify().succeeded)
        let exported = try await cli.exportAll()
        #expect(!exported.isEmpty && exported.count < packets.count)
        if let difference = PacketComparison.difference(expected: Array(packets.suffix(exported.count)), actual: exported) {
            Issue.record("after the disk filled, the store does not hold the newest packets: \(difference)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: cli.store).filter { $0.hasSuffix(".tmp") || $0.hasSuffix(".active") }
        #expect(leftovers.isEmpty, "left behind: \(leftovers)")
    }

    /// `retention --json` on a known input: 10 copies of no_sni.pcap, 5 s apart (49.1 s of
    /// packets, under an hour, so every rate is the whole window's rate), with the projections
    /// computed here from the segment list `inspect --json --segments` gives.
    @Test func retentionJSONProjectionsMatchHandComputedValues() async throws {
        let scratch = try TemporaryDirectory("projection")
        let (input, packets) = try DerivedCaptures.repeated("no_sni.pcap", copies: 10, spacing: 5_000_000_000, into: scratch)
        let cli = try TapedeckCLI(in: scratch)
        try await cli.importSucceeding([input])
        let output = scratch.path("inspect.json")
        let inspect = try await cli.run("inspect", ["--json", "--segments"], stdoutPath: output)
        try #require(inspect.succeeded, "\(inspect.summary)")
        let totals = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output))) as? [String: Any])
        let segments = try #require(totals["segments"] as? [[String: Any]])
        let stored = segments.reduce(0) { $0 + ($1["dataBytes"] as! Int) + ($1["indexBytes"] as! Int) }
        let window = Double(packets.last!.time - packets.first!.time) / 1e9
        let rate = Double(stored) / window

        let reportPath = scratch.path("report.json")
        let result = try await cli.run("retention", ["--json", "--budget", "100MiB", "--target", "2h"], stdoutPath: reportPath)
        try #require(result.succeeded, "\(result.summary)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: reportPath))) as? [String: Any])
        let projection = try #require(report["projection"] as? [String: Any])
        func close(_ actual: Any?, _ expected: Double, _ what: String, tolerance: Double = 0) {
            let value = (actual as? Double) ?? (actual as? Int).map(Double.init) ?? .nan
            #expect(abs(value - expected) <= max(tolerance, abs(expected) * 1e-12), "\(what): \(value), expected \(expected)")
        }
        close(report["windowSeconds"], window, "windowSeconds")
        close(report["rateLastHour"], rate, "rateLastHour")
        close(report["rateLastDay"], rate, "rateLastDay")
        close(report["rateWindow"], rate, "rateWindow")
        close(projection["rate"], rate, "projection.rate")
        close(projection["budgetBytes"], Double(100 << 20), "budgetBytes")
        close(projection["budgetWindowSeconds"], Double(100 << 20) / rate, "budgetWindowSeconds")
        close(projection["targetSeconds"], 7200, "targetSeconds")
        close(projection["targetBudgetBytes"], (rate * 7200).rounded(.down), "targetBudgetBytes", tolerance: 1)
        #expect(report["segments"] as? Int == segments.count)
        #expect(report["capturedBytes"] as? Int == packets.reduce(0) { $0 + $1.data.count })
    }
}
