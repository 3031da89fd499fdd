import Foundation
import Testing
import TapedeckKafka

#if canImport(Glibc)
import Glibc
#endif

/// `tapedeck record --kafka-brokers` on a veth pair against the real broker: tcpreplay sends a
/// real capture, the recorder is killed with `kill -9` after some flows reached Kafka, restarted,
/// sent the capture again and stopped; then every stored packet is in the topic, in a message of
/// its flow, and the messages a restart sent again are the same as the first copies (so a consumer
/// that dedupes by (flow id, chunk) loses nothing).
@Suite("Kafka: recording publishes every flow, across kill -9", .serialized)
struct RecordPublishingTests {
    @Test func killDashNineOfTheRecorderLosesNoFlow() async throws {
        let broker = try KafkaBroker.address()
        let namespace = try NetworkNamespace()
        let scratch = try TemporaryDirectory("record-kafka")
        let cli = try TapedeckCLI(in: scratch)
        let topic = KafkaBroker.uniqueTopic("record")
        let capture = Fixtures.path("no_sni.pcap")
        let kafka = ["--kafka-brokers", broker, "--kafka-topic", topic]

        var recorder = try await RecordIntegrationTests.startRecorder(cli, [namespace.captureInterface], kafka)
        let sent = try namespace.replay(capture, packetsPerSecond: 20_000)
        #expect(try await RecordIntegrationTests.waitForPackets(cli, "after 1970-01-01T00:00:00Z", count: sent, within: 10) == sent)
        // Some flows ended (FIN) and were published; others are still open in the flow table. (kcat
        // fails while the topic does not exist yet.)
        func published() async -> Int { (try? await KafkaBroker.kcatConsume(topic).count) ?? 0 }
        let deadline = Date().addingTimeInterval(30)
        while await published() == 0 {
            try #require(Date() < deadline, "nothing reached \(topic) within 30 s")
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        recorder.kill(SIGKILL)
        #expect(await recorder.wait().signaled)
        let beforeRestart = await published()

        recorder = try await RecordIntegrationTests.startRecorder(cli, [namespace.captureInterface], kafka)
        let sentAgain = try namespace.replay(capture, packetsPerSecond: 20_000)
        #expect(try await RecordIntegrationTests.waitForPackets(cli, "after 1970-01-01T00:00:00Z", count: sent + sentAgain,
                                                                within: 10) == sent + sentAgain)
        let stopped = try await RecordIntegrationTests.stop(recorder)
        #expect(stopped.stderrText.contains("published "), "\(stopped.stderrText)")

        let count = try await KafkaBroker.kcatConsume(topic).count
        #expect(count > beforeRestart)
        let messages = try KafkaBroker.consume(topic, count: count)
        var chunks: [String: [UInt8]] = [:]
        var duplicates = 0
        var inMessages: [PacketKey: Int] = [:]
        for message in messages {
            let flow = message.header(KafkaHeaders.flowID)?.stringValue ?? "?"
            let chunk = message.header(KafkaHeaders.chunk)?.stringValue ?? "?"
            let id = "\(flow)/\(chunk)"
            if let first = chunks[id] {
                duplicates += 1
                #expect(first == message.value, "chunk \(id) was sent again with other contents")
                continue
            }
            chunks[id] = message.value
            for packet in try CaptureFile(bytes: message.value).packets { inMessages[PacketKey(packet), default: 0] += 1 }
        }
        var missing = 0
        for packet in try await cli.exportAll() {
            let key = PacketKey(packet)
            if let left = inMessages[key], left > 0 { inMessages[key] = left - 1 } else { missing += 1 }
        }
        #expect(missing == 0, "\(missing) stored packets are in no message of \(topic)")
        print("record publishing: \(messages.count) messages, \(duplicates) sent again after kill -9, \(missing) packets missing")
    }
}
