import Foundation
import TapedeckQuery
import TapedeckStorage
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `tapedeck record` on veth pairs into network namespaces, with tcpreplay sending real captures
/// from inside: completeness and byte-exactness, freshness, kill -9, several interfaces with
/// fanout threads.
@Suite("Recording", .serialized)
struct RecordIntegrationTests {
    /// Starts `tapedeck record` on `interfaces` and waits until its rings are open (it says
    /// "recording … Ctrl-C to stop").
    static func startRecorder(_ cli: TapedeckCLI, _ interfaces: [String], _ extra: [String] = []) async throws -> RunningProcess {
        let arguments = ["record", "--store", cli.store] + interfaces.flatMap { ["-i", $0] } + extra
        let recorder = try RunningProcess(cli.executable, arguments)
        let deadline = Date().addingTimeInterval(30)
        while !recorder.standardErrorSoFar.contains("Ctrl-C to stop") {
            if recorder.hasEnded || Date() > deadline {
                recorder.kill(SIGKILL)
                let result = await recorder.wait()
                throw TestFailure(description: "the recorder did not start: \(result.summary)")
            }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        return recorder
    }

    /// Stops a recorder with SIGINT, as Ctrl-C does; it must drain, seal and exit 0.
    static func stop(_ recorder: RunningProcess) async throws -> ProcessResult {
        recorder.kill(SIGINT)
        let result = await recorder.wait()
        #expect(result.succeeded, "the recorder did not stop cleanly on SIGINT: \(result.summary)")
        return result
    }

    /// Polls `query` until it returns at least `count` packets, or the deadline passes.
    static func waitForPackets(_ cli: TapedeckCLI, _ query: String, count: Int, within seconds: Double) async throws -> Int {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let found = try await cli.queryPackets(query).packets.count
            if found >= count || Date() > deadline { return found }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    @Test(arguments: ["afpacket", "pcap"])
    func everyPacketReplayedAt20000ppsIsStoredByteIdenticalAndInOrder(source: String) async throws {
        let namespace = try NetworkNamespace()
        let scratch = try TemporaryDirectory("record")
        let cli = try TapedeckCLI(in: scratch)
        let capture = Fixtures.path("wechat.pcap")
        let expected = try CaptureFile(path: capture).packets
        let recorder = try await Self.startRecorder(cli, [namespace.captureInterface], ["--source", source])
        let sent = try namespace.replay(capture, packetsPerSecond: 20_000)
        #expect(sent == expected.count)
        #expect(try await Self.waitForPackets(cli, "after 1970-01-01T00:00:00Z", count: sent, within: 5) == sent)
        let result = try await Self.stop(recorder)
        #expect(result.stderrText.contains("stored \(sent) packets, dropped 0"), "\(result.stderrText)")
        let stored = try await cli.exportAll()
        #expect(stored.map(\.data) == expected.map(\.data), "stored frames differ from the replayed capture")
        #expect(stored.allSatisfy { $0.originalLength == UInt32($0.data.count) && $0.linkType == 1 })
        #expect(PacketComparison.isTimeOrdered(stored))
        #expect(try await cli.verify().succeeded)
    }

    @Test func aPacketIsQueryableWithinOneSecondOfCapture() async throws {
        let namespace = try NetworkNamespace()
        let scratch = try TemporaryDirectory("fresh")
        let cli = try TapedeckCLI(in: scratch)
        let frames = try CaptureFile(path: Fixtures.path("no_sni.pcap")).packets
        let recorder = try await Self.startRecorder(cli, [namespace.captureInterface])
        // Polled in-process (a reader of the store, as `tapedeck query` and the HTTP service are),
        // so the measurement is the store's freshness and not the start-up time of a process.
        let everything = try QueryExpression.parse("after 1970-01-01T00:00:00Z", now: .now())
        func stored() throws -> Int {
            guard let store = try? StoreReader(directory: cli.store) else { return 0 }
            return try QueryExecutor(store: store, expression: everything).run { _ in }.packetsMatched
        }
        var latencies: [Double] = []
        for index in 0..<5 {
            let single = try scratch.write("one-\(index).pcap", PcapWriter.file([frames[index * 10]], linkType: 1))
            try namespace.replay(single, packetsPerSecond: nil)
            let sent = Date()
            var found = try stored()
            while found < index + 1, Date().timeIntervalSince(sent) < 5 {
                try await Task.sleep(nanoseconds: 5_000_000)
                found = try stored()
            }
            latencies.append(Date().timeIntervalSince(sent))
            #expect(found == index + 1)
        }
        _ = try await Self.stop(recorder)
        print("freshness: packet → query latencies \(latencies.map { String(format: "%.3f", $0) }) s")
        #expect(latencies.allSatisfy { $0 < 1.0 }, "a packet took longer than 1 s to become queryable: \(latencies)")
    }

    @Test func killDashNineLosesNothingThatWasWrittenAndRecordingContinues() async throws {
        let namespace = try NetworkNamespace()
        let scratch = try TemporaryDirectory("crash")
        let cli = try TapedeckCLI(in: scratch)
        let capture = Fixtures.path("no_sni.pcap")
        var recorder = try await Self.startRecorder(cli, [namespace.captureInterface])
        var replay: EndlessReplay? = try namespace.replayForever(capture, packetsPerSecond: 20_000)
        _ = try await Self.waitForPackets(cli, "after 1970-01-01T00:00:00Z", count: 3000, within: 10)
        let before = try await cli.exportAll()
        recorder.kill(SIGKILL)
        let killed = await recorder.wait()
        #expect(killed.signaled)

        recorder = try await Self.startRecorder(cli, [namespace.captureInterface])
        #expect(recorder.standardErrorSoFar.contains("recovered a segment interrupted by a crash"),
                "the restarted recorder did not report the recovery: \(recorder.standardErrorSoFar)")
        _ = try await Self.waitForPackets(cli, "after 1970-01-01T00:00:00Z", count: before.count + 3000, within: 10)
        replay = nil
        _ = try await Self.stop(recorder)
        #expect(replay == nil)

        #expect(try await cli.verify().succeeded)
        let after = try await cli.exportAll()
        var remaining = Dictionary(after.map { (PacketKey($0), 1) }, uniquingKeysWith: +)
        var missing = 0
        for packet in before {
            let key = PacketKey(packet)
            if let count = remaining[key], count > 0 { remaining[key] = count - 1 } else { missing += 1 }
        }
        #expect(missing == 0, "\(missing) of the \(before.count) packets a query saw before the kill are gone")
        #expect(after.count > before.count, "recording did not continue after the restart")
    }

    @Test func twoInterfacesWithTwoFanoutThreadsEachStoreEveryPacketOnce() async throws {
        let first = try NetworkNamespace()
        let second = try NetworkNamespace()
        let scratch = try TemporaryDirectory("fanout")
        let cli = try TapedeckCLI(in: scratch)
        let captures = [Fixtures.path("wechat.pcap"), Fixtures.path("no_sni.pcap")]
        let expected = try captures.flatMap { try CaptureFile(path: $0).packets.map(\.data) }
        let recorder = try await Self.startRecorder(cli, [first.captureInterface, second.captureInterface], ["--threads", "2"])
        try first.replay(captures[0], packetsPerSecond: 20_000)
        try second.replay(captures[1], packetsPerSecond: 20_000)
        _ = try await Self.waitForPackets(cli, "after 1970-01-01T00:00:00Z", count: expected.count, within: 5)
        let result = try await Self.stop(recorder)
        for interface in [first.captureInterface, second.captureInterface] {
            for thread in 0..<2 {
                #expect(result.stderrText.contains("\(interface)#\(thread): received"), "\(result.stderrText)")
            }
        }
        let stored = try await cli.exportAll().map(\.data)
        #expect(stored.count == expected.count)
        #expect(LiveCaptureSupport.multiset(stored) == LiveCaptureSupport.multiset(expected), "stored frames differ from the replayed ones")
    }
}
