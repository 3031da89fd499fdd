import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `tapedeck replay --kafka-topic` against the real broker (`TAPEDECK_TEST_KAFKA`): the flows of
/// a real capture are published as flow chunks, replayed onto a veth pair (from the test's own
/// namespace, where the broker on the loopback is reachable) and captured by tcpdump on the other
/// end, inside a network namespace; each flow must arrive byte for byte and in order. Needs root
/// and the broker; fails without either.
@Suite("Kafka replay", .serialized)
struct KafkaReplayIntegrationTests {
    /// A real capture: 1185 Ethernet frames of TCP conversations over IPv4.
    static let capture = Fixtures.path("no_sni.pcap")

    /// Each flow's frames (by unordered 5-tuple, the test's own parsing), in capture order.
    static func flows(_ frames: [[UInt8]]) -> [String: [[UInt8]]] {
        var flows: [String: [[UInt8]]] = [:]
        for frame in frames {
            guard let key = conversation(frame) else { continue }
            flows[key, default: []].append(frame)
        }
        return flows
    }

    /// `PROTO A:PORT B:PORT` with the ends in sorted order, for an Ethernet (or 802.1Q) frame
    /// carrying IPv4 or IPv6 TCP or UDP; nil for anything else.
    static func conversation(_ frame: [UInt8]) -> String? {
        func u16(_ at: Int) -> Int { Int(frame[at]) << 8 | Int(frame[at + 1]) }
        var offset = 12
        var etherType = u16(offset)
        while etherType == 0x8100 || etherType == 0x88A8, frame.count >= offset + 6 {
            offset += 4
            etherType = u16(offset)
        }
        offset += 2
        let proto: UInt8
        let source: String
        let destination: String
        switch etherType {
        case 0x0800 where frame.count >= offset + 20:
            proto = frame[offset + 9]
            source = frame[(offset + 12)..<(offset + 16)].map(String.init).joined(separator: ".")
            destination = frame[(offset + 16)..<(offset + 20)].map(String.init).joined(separator: ".")
            guard u16(offset + 6) & 0x1FFF == 0 else { return nil }  // a later fragment: no ports
            offset += Int(frame[offset] & 0x0F) * 4
        case 0x86DD where frame.count >= offset + 40:
            proto = frame[offset + 6]
            source = frame[(offset + 8)..<(offset + 24)].map { String($0, radix: 16) }.joined(separator: ":")
            destination = frame[(offset + 24)..<(offset + 40)].map { String($0, radix: 16) }.joined(separator: ":")
            offset += 40
        default:
            return nil
        }
        guard proto == 6 || proto == 17, frame.count >= offset + 4 else { return nil }
        let ends = ["\(source):\(u16(offset))", "\(destination):\(u16(offset + 2))"].sorted()
        return "\(proto) \(ends[0]) \(ends[1])"
    }

    /// Publishes the flows of the capture at `path` to `topic` as flow chunks: `tapedeck import
    /// --kafka-brokers` into a fresh store.
    static func publish(_ path: String, topic: String) async throws {
        let scratch = try TemporaryDirectory("kafka-replay-import")
        let cli = try TapedeckCLI(in: scratch)
        let imported = try await cli.run("import", ["--no-progress", "--kafka-brokers", try KafkaBroker.address(),
                                                    "--kafka-topic", topic, path])
        guard imported.succeeded else { throw TestFailure(description: "publishing \(path): \(imported.summary)") }
    }

    /// A topic holding the capture's flows as flow chunks, and its flows.
    static func publishedTopic(_ label: String) async throws -> (topic: String, flows: [String: [[UInt8]]]) {
        let topic = KafkaBroker.uniqueTopic(label)
        try await publish(capture, topic: topic)
        let flows = flows(try CaptureFile(path: capture).packets.map(\.data))
        #expect(flows.count > 5, "\(flows.count) flows")
        return (topic, flows)
    }

    @Test func everyFlowOfATopicArrivesByteForByteAndInOrder() async throws {
        let broker = try KafkaBroker.address()
        let (topic, expected) = try await Self.publishedTopic("replay")
        let total = expected.values.map(\.count).reduce(0, +)
        let namespace = try NetworkNamespace()
        let run = try await namespace.replayCapturing(total, ["--kafka-brokers", broker, "--kafka-topic", topic,
                                                              "--from-beginning", "--pps", "20000"], from: .outside)
        #expect(run.replay.succeeded, "\(run.replay.summary)")
        #expect(run.summaryCount("Successful packets") == total, "\(run.replay.stderrText)")
        #expect(run.replay.stderrText.contains("Ended: end of input"), "\(run.replay.stderrText)")
        #expect(run.replay.stderrText.contains("0 malformed and 0 duplicate chunks skipped"), "\(run.replay.stderrText)")
        let captured = Self.flows(run.captured.map(\.data))
        #expect(captured.keys.sorted() == expected.keys.sorted())
        for (flow, frames) in expected {
            let difference = LiveCaptureSupport.difference(expected: frames, actual: captured[flow] ?? [])
            #expect(difference == nil, "flow \(flow): \(difference ?? "")")
        }
    }

    @Test func aReplayerKilledMidTopicAndRestartedInItsGroupMissesNoFlow() async throws {
        let broker = try KafkaBroker.address()
        let (topic, expected) = try await Self.publishedTopic("kill")
        let total = expected.values.map(\.count).reduce(0, +)
        let group = "kill-\(UUID().uuidString.prefix(8))"
        let namespace = try NetworkNamespace()
        let scratch = try TemporaryDirectory("kafka-replay-kill")
        let output = scratch.path("captured.pcap")
        // -U: each packet is written as it comes, so the file can be read while tcpdump runs.
        let tcpdump = try await namespace.startListeningTcpdump(["-U", "-w", output], on: .inside)
        defer { tcpdump.kill(SIGKILL) }
        func captured() -> [[UInt8]] { (try? CaptureFile(path: output).packets.map(\.data)) ?? [] }

        // 1000 packets/s: the first run is killed about 0.7 s into the topic, after commits.
        // Static membership (group.instance.id): the restarted replayer takes the killed one's
        // place in the group at once. Without it the group waits for the dead member's session
        // to time out, and noida-db never times it out.
        let arguments = ["--kafka-brokers", broker, "--kafka-topic", topic, "--group", group, "--pps", "1000",
                         "-X", "group.instance.id=\(group)-replayer"]
        let first = try namespace.startReplay(arguments, from: .outside)
        let firstDeadline = Date().addingTimeInterval(30)
        while captured().count < 700, !first.hasEnded, Date() < firstDeadline {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        #expect(!first.hasEnded, "the first run ended before it was killed: \(first.standardErrorSoFar)")
        first.kill(SIGKILL)
        let killed = await first.wait()
        #expect(killed.signaled, "\(killed.summary)")
        let sentBeforeKill = captured().count
        #expect(sentBeforeKill >= 700 && sentBeforeKill < total, "\(sentBeforeKill) of \(total) packets before the kill")

        let second = try await namespace.replayOnly(arguments, from: .outside)
        #expect(second.succeeded, "\(second.summary)")
        let resent = ReplayRun(replay: second, captured: []).summaryCount("Successful packets") ?? 0
        // The first run's commits hold: the second starts after them, not at the beginning.
        #expect(resent < total && resent >= total - sentBeforeKill, "\(second.stderrText)")
        print("kafka replay killed after \(sentBeforeKill) of \(total) packets; the restart sent \(resent) "
            + "(\(sentBeforeKill + resent - total) sent twice)")

        // Every flow's packets are all there, in order, once each run's share is on the wire.
        var missing: [String] = []
        let deadline = Date().addingTimeInterval(20)
        repeat {
            let flows = Self.flows(captured())
            missing = expected.compactMap { flow, frames in
                Self.containsInOrder(flows[flow] ?? [], frames) ? nil : flow
            }
            if missing.isEmpty { break }
            try await Task.sleep(nanoseconds: 20_000_000)
        } while Date() < deadline
        #expect(missing.isEmpty, "flows with packets missing or out of order across both runs: \(missing)")
    }

    @Test func fromATimeStartsAtTheFirstMessagePublishedThen() async throws {
        let broker = try KafkaBroker.address()
        let (topic, first) = try await Self.publishedTopic("from")
        // Kafka time stamps are milliseconds: the second capture's flows get a later one.
        let between = Date()
        while Date().timeIntervalSince(between) < 0.005 { await Task.yield() }
        let later = Fixtures.path("ftp.pcap")
        try await Self.publish(later, topic: topic)
        let firstCount = first.values.map(\.count).reduce(0, +)
        let laterCount = Self.flows(try CaptureFile(path: later).packets.map(\.data)).values.map(\.count).reduce(0, +)
        let namespace = try NetworkNamespace()
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let second = try await namespace.replayCapturing(laterCount, ["--kafka-brokers", broker, "--kafka-topic", topic,
                                                                      "--from", formatter.string(from: between), "--pps", "20000"], from: .outside)
        #expect(second.summaryCount("Successful packets") == laterCount, "\(second.replay.stderrText)")
        let both = try await namespace.replayCapturing(firstCount + laterCount, ["--kafka-brokers", broker, "--kafka-topic", topic,
                                                                                 "--from", "1h ago", "--pps", "20000"], from: .outside)
        #expect(both.summaryCount("Successful packets") == firstCount + laterCount, "\(both.replay.stderrText)")
    }

    @Test func followingSendsFlowsPublishedLaterUntilInterrupted() async throws {
        let broker = try KafkaBroker.address()
        let (topic, first) = try await Self.publishedTopic("follow")
        let later = Fixtures.path("ftp.pcap")
        let firstCount = first.values.map(\.count).reduce(0, +)
        let laterCount = Self.flows(try CaptureFile(path: later).packets.map(\.data)).values.map(\.count).reduce(0, +)
        let namespace = try NetworkNamespace()
        let scratch = try TemporaryDirectory("kafka-replay-follow")
        let output = scratch.path("captured.pcap")
        let tcpdump = try await namespace.startListeningTcpdump(["-U", "-w", output], on: .inside)
        defer { tcpdump.kill(SIGKILL) }
        func captured() -> Int { (try? CaptureFile(path: output).packets.count) ?? 0 }
        func waitForCaptured(_ count: Int) async throws {
            let deadline = Date().addingTimeInterval(30)
            while captured() < count, Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        }

        let replay = try namespace.startReplay(["--kafka-brokers", broker, "--kafka-topic", topic, "--from-beginning",
                                                "--follow", "--pps", "20000"], from: .outside)
        try await waitForCaptured(firstCount)
        #expect(captured() == firstCount)
        #expect(!replay.hasEnded, "the replay ended at the end of the topic: \(replay.standardErrorSoFar)")
        try await Self.publish(later, topic: topic)
        try await waitForCaptured(firstCount + laterCount)
        #expect(captured() == firstCount + laterCount)
        #expect(!replay.hasEnded, "\(replay.standardErrorSoFar)")
        replay.kill(SIGINT)
        let result = await replay.wait()
        #expect(result.succeeded, "\(result.summary)")
        #expect(result.stderrText.contains("Ended: stopped by signal"), "\(result.stderrText)")
        #expect(ReplayRun(replay: result, captured: []).summaryCount("Successful packets") == firstCount + laterCount,
                "\(result.stderrText)")
    }

    /// Whether `frames` appear in `captured` in order, other frames (duplicates) in between allowed.
    static func containsInOrder(_ captured: [[UInt8]], _ frames: [[UInt8]]) -> Bool {
        var index = 0
        for frame in captured where index < frames.count && frame == frames[index] {
            index += 1
        }
        return index == frames.count
    }

    @Test func badKafkaArgumentsFailBeforeSending() async throws {
        let broker = try KafkaBroker.address()
        let namespace = try NetworkNamespace()
        let loop = try await namespace.replayOnly(["--kafka-brokers", broker, "--kafka-topic", "t", "--loop", "2"], from: .outside)
        #expect(loop.status == 64 && loop.stderrText.contains("--loop does not apply to a Kafka topic"), "\(loop.summary)")
        let noBrokers = try await namespace.replayOnly(["--kafka-topic", "t"], from: .outside)
        #expect(noBrokers.status == 64 && noBrokers.stderrText.contains("--kafka-topic needs --kafka-brokers"), "\(noBrokers.summary)")
        let both = try await namespace.replayOnly(["--kafka-brokers", broker, "--kafka-topic", "t", "--from-beginning", "--from", "5m ago"], from: .outside)
        #expect(both.status == 64 && both.stderrText.contains("not both"), "\(both.summary)")
        let badTime = try await namespace.replayOnly(["--kafka-brokers", broker, "--kafka-topic", "t", "--from", "yesterday"], from: .outside)
        #expect(badTime.status == 64 && badTime.stderrText.contains("--from: 'yesterday' is not a time"), "\(badTime.summary)")
        let unreachable = try await namespace.replayOnly(["--kafka-brokers", "127.0.0.1:1", "--kafka-topic", "t"], from: .outside)
        #expect(unreachable.status == 1 && unreachable.stderrText.contains("kafka topic t:"), "\(unreachable.summary)")
    }
}
