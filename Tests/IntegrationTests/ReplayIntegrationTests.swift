import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `tapedeck replay` on a veth pair: sent from inside a network namespace, captured by tcpdump on
/// the other end. Packets must arrive byte for byte and in order; rates are measured on
/// tcpdump's receive time stamps, not taken from the replayer's own summary. Needs root.
@Suite("Replay", .serialized)
struct ReplayIntegrationTests {
    /// A real capture: 1185 Ethernet frames (up to 1514 bytes) over 4.13 s.
    static let capture = Fixtures.path("no_sni.pcap")

    static func frames(_ path: String = capture) throws -> [[UInt8]] {
        try CaptureFile(path: path).packets.map(\.data)
    }

    /// Checks that `run` captured `expected`, byte for byte and in order, and that the replayer
    /// exited 0 saying it sent them all.
    static func expectDelivered(_ run: ReplayRun, _ expected: [[UInt8]]) {
        #expect(run.replay.succeeded, "\(run.replay.summary)")
        #expect(run.summaryCount("Successful packets") == expected.count, "\(run.replay.stderrText)")
        #expect(run.summaryCount("Failed packets") == 0)
        let difference = LiveCaptureSupport.difference(expected: expected, actual: run.captured.map(\.data))
        #expect(difference == nil, "captured frames differ from the replayed ones: \(difference ?? "")")
    }

    /// Passes over the capture for the fixed-rate tests: about a second at 20 000 packets/s, so
    /// that one late packet at either end (the sender descheduled on a busy machine) moves the
    /// measured rate by little.
    static let loops = 16

    @Test func at20000PacketsPerSecondEveryFrameArrivesInOrderWithin5Percent() async throws {
        let namespace = try NetworkNamespace()
        let loops = Self.loops
        let expected = Array(repeating: try Self.frames(), count: loops).flatMap { $0 }
        let run = try await namespace.replayCapturing(expected.count, ["--pps", "20000", "--loop", String(loops), Self.capture])
        Self.expectDelivered(run, expected)
        let rate = CapturedRate.packetsPerSecond(run.captured)
        print("replay --pps 20000: \(expected.count) packets in \(CapturedRate.span(run.captured)) s on the wire: "
            + "\(rate) pps (\(CapturedRate.deviation(rate, from: 20_000)) %)")
        #expect(abs(CapturedRate.deviation(rate, from: 20_000)) <= 5, "achieved \(rate) pps")
    }

    @Test func at100MegabitsPerSecondTheCapturedBytesArriveWithin5Percent() async throws {
        let namespace = try NetworkNamespace()
        let loops = Self.loops
        let expected = Array(repeating: try Self.frames(), count: loops).flatMap { $0 }
        let run = try await namespace.replayCapturing(expected.count, ["--mbps", "100", "--loop", String(loops), Self.capture])
        Self.expectDelivered(run, expected)
        let rate = CapturedRate.megabitsPerSecond(run.captured)
        print("replay --mbps 100: \(expected.count) packets in \(CapturedRate.span(run.captured)) s on the wire: "
            + "\(rate) Mbit/s (\(CapturedRate.deviation(rate, from: 100)) %)")
        #expect(abs(CapturedRate.deviation(rate, from: 100)) <= 5, "achieved \(rate) Mbit/s")
    }

    @Test func withMultiplier2TheCapturedTimingIsReplayedTwiceAsFast() async throws {
        let namespace = try NetworkNamespace()
        let original = try CaptureFile(path: Self.capture).packets
        let run = try await namespace.replayCapturing(original.count, ["--multiplier", "2", Self.capture])
        Self.expectDelivered(run, original.map(\.data))
        let speedUp = CapturedRate.span(original) / CapturedRate.span(run.captured)
        // Each packet's offset from the first against half its captured offset.
        var errors: [Double] = []
        for (sent, received) in zip(original, run.captured) {
            let wanted = Double(sent.time - original[0].time) / 2
            let got = Double(received.time - run.captured[0].time)
            errors.append(abs(got - wanted) / 1e6)
        }
        errors.sort()
        print("replay --multiplier 2: \(CapturedRate.span(original)) s captured, \(CapturedRate.span(run.captured)) s "
            + "on the wire: \(speedUp)× (\(CapturedRate.deviation(speedUp, from: 2)) %); per-packet offset error "
            + "median \(errors[errors.count / 2]) ms, 99th percentile \(errors[errors.count * 99 / 100]) ms")
        #expect(abs(CapturedRate.deviation(speedUp, from: 2)) <= 5, "achieved \(speedUp)×")
        #expect(errors[errors.count / 2] < 1, "half the packets left more than 1 ms off their scaled time")
    }

    @Test func aQueryReplayedFromTheStoreEqualsTheQueryOutput() async throws {
        let namespace = try NetworkNamespace()
        let scratch = try TemporaryDirectory("replay-query")
        let cli = try TapedeckCLI(in: scratch)
        try await cli.importSucceeding([Self.capture, Fixtures.path("wechat.pcap")])
        let query = "udp or (tcp and not port 443)"
        let expected = try await cli.queryPackets(query).packets.map(\.data)
        #expect(expected.count > 100)
        let run = try await namespace.replayCapturing(expected.count, ["--pps", "20000", "--store", cli.store, "--query", query])
        Self.expectDelivered(run, expected)
    }

    @Test func oversizeFramesAreReportedAndSkippedOrTruncated() async throws {
        let namespace = try NetworkNamespace()
        try namespace.inside("ip", ["link", "set", namespace.replayInterface, "mtu", "1000"])
        let frames = try Self.frames()
        let fitting = frames.filter { $0.count <= 1014 }
        let oversize = frames.count - fitting.count
        #expect(oversize > 100 && !fitting.isEmpty)

        let skipped = try await namespace.replayCapturing(fitting.count, ["--pps", "20000", Self.capture])
        Self.expectDelivered(skipped, fitting)
        #expect(skipped.summaryCount("Skipped packets") == oversize, "\(skipped.replay.stderrText)")
        #expect(skipped.replay.stderrText.contains("longer than MTU 1000 + 14-byte header: \(oversize),"))
        #expect(skipped.replay.stderrText.contains("-byte frame is longer than \(namespace.replayInterface) sends (MTU 1000 + 14-byte header = 1014): skipped"),
                "no warning named a skipped frame: \(skipped.replay.stderrText)")

        let truncated = try await namespace.replayCapturing(frames.count, ["--pps", "20000", "--oversize", "truncate", Self.capture])
        Self.expectDelivered(truncated, frames.map { Array($0.prefix(1014)) })
        #expect(truncated.summaryCount("Truncated packets") == oversize, "\(truncated.replay.stderrText)")
    }

    @Test func theLibpcapInjectorSendsTheSameFramesAtTheAskedRate() async throws {
        let namespace = try NetworkNamespace()
        let expected = try Self.frames()
        let run = try await namespace.replayCapturing(expected.count, ["--injector", "pcap", "--pps", "20000", Self.capture])
        Self.expectDelivered(run, expected)
        let rate = CapturedRate.packetsPerSecond(run.captured)
        print("replay --injector pcap --pps 20000: \(rate) pps on the wire")
        #expect(abs(CapturedRate.deviation(rate, from: 20_000)) <= 5, "achieved \(rate) pps")
    }

    @Test func topspeedWithALimitSendsExactlyThatManyAcrossLoops() async throws {
        let namespace = try NetworkNamespace()
        let frames = try Self.frames()
        let run = try await namespace.replayCapturing(3000, ["--topspeed", "--loop", "0", "--limit", "3000", Self.capture])
        Self.expectDelivered(run, Array(Array(repeating: frames, count: 3).flatMap { $0 }.prefix(3000)))
        #expect(run.replay.stderrText.contains("Ended: packet limit"))
    }

    @Test func sigintStopsTheReplayAndPrintsTheSummary() async throws {
        let namespace = try NetworkNamespace()
        let replay = try namespace.startReplay(["--pps", "1000", "--loop", "0", Self.capture])
        try await Task.sleep(nanoseconds: 500_000_000)
        #expect(!replay.hasEnded, "the replay ended by itself: \(replay.standardErrorSoFar)")
        replay.kill(SIGINT)
        let result = await replay.wait()
        #expect(result.succeeded, "\(result.summary)")
        #expect(result.stderrText.contains("Ended: stopped by signal"), "\(result.stderrText)")
        let sent = ReplayRun(replay: result, captured: []).summaryCount("Successful packets") ?? 0
        #expect(sent > 200 && sent < 5000, "\(result.stderrText)")
    }

    @Test func aMissingFileOrABadQueryFailsBeforeSending() async throws {
        let namespace = try NetworkNamespace()
        let missing = try await namespace.replayOnly(["--pps", "10", "/nonexistent.pcap"])
        #expect(missing.status == 1 && missing.stderrText.contains("/nonexistent.pcap"), "\(missing.summary)")
        let badQuery = try await namespace.replayOnly(["--query", "port 99999"])
        #expect(badQuery.status == 2 && badQuery.stderrText.contains("bad query"), "\(badQuery.summary)")
        let noInterface = try await ProcessRunner.run(try Tool.tapedeck(), ["replay", "-i", "tdnosuch0", Self.capture])
        #expect(noInterface.status == 1 && noInterface.stderrText.contains("tdnosuch0"), "\(noInterface.summary)")
    }
}
