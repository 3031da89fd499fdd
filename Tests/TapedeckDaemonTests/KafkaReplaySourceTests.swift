import Foundation
import TapedeckCore
import TapedeckDaemon
import TapedeckKafka
import TapedeckReplay
import Testing

/// ``KafkaReplaySource`` against librdkafka's mock cluster: order, at-least-once commits, start
/// positions, the end of the topic, malformed values.
@Suite("KafkaReplaySource", .serialized)
struct KafkaReplaySourceTests {
    /// 12 flows of 3 chunks each, over 3 partitions, chunks of a flow interleaved with other flows'.
    static func publishFlows(_ kafka: KafkaFixture, flows: Range<Int> = 0..<12) throws {
        for chunk in 0..<3 {
            for flow in flows {
                try kafka.publish(flow: flow, (chunk * 10)..<(chunk * 10 + 10), precision: flow.isMultiple(of: 2) ? .nanoseconds : .microseconds)
            }
        }
        try kafka.flush()
    }

    static let everyFlow = Dictionary(uniqueKeysWithValues: (0..<12).map { ($0, Array(0..<30)) })

    @Test func everyFlowComesBackWholeAndInOrderAndTheSourceEndsAtTheEndOfTheTopic() throws {
        let kafka = try KafkaFixture()
        try Self.publishFlows(kafka)
        let source = try kafka.source(group: "order")
        let packets = try drain(source)
        source.close()
        #expect(packets.count == 12 * 30)
        #expect(byFlow(packets) == Self.everyFlow)
        #expect(source.statistics.messagesConsumed == 36 && source.statistics.packetsRead == 360)
        #expect(source.statistics.messagesMalformed == 0)
        #expect(source.statistics.commits > 0 && source.statistics.commitFailures == 0)
    }

    @Test func offsetsAreCommittedOnlyForMessagesWhosePacketsWereAllAcknowledged() throws {
        let kafka = try KafkaFixture(partitions: 1)
        for flow in 0..<4 { try kafka.publish(flow: flow, 0..<10) }
        try kafka.flush()

        // 25 packets read, none acknowledged: nothing is committed past them, the group starts over.
        let first = try kafka.source(group: "acks")
        #expect(try drain(first, limit: 25, acknowledging: false).count == 25)
        first.close()

        // 25 read, 25 acknowledged: messages 0 and 1 are done, message 2 half; 26 read, 25
        // acknowledged is the same.
        let second = try kafka.source(group: "acks")
        let packets = try drain(second, limit: 26, acknowledging: false)
        #expect(packets.map(\.flow) == Array(repeating: 0, count: 10) + Array(repeating: 1, count: 10) + Array(repeating: 2, count: 6))
        second.packetsSent(25)
        second.close()

        // The next run resends message 2 whole, and then the rest.
        let third = try kafka.source(group: "acks")
        let rest = try drain(third)
        third.close()
        #expect(rest.map(\.flow) == Array(repeating: 2, count: 10) + Array(repeating: 3, count: 10))
        #expect(rest.map(\.sequence) == Array(0..<10) + Array(0..<10))

        // Everything was acknowledged and committed: nothing is left for the group.
        let fourth = try kafka.source(group: "acks")
        #expect(try drain(fourth).isEmpty)
        fourth.close()
    }

    @Test func commitsWaitForTheCommitIntervalAndCloseCommitsTheRest() throws {
        let kafka = try KafkaFixture(partitions: 1)
        for flow in 0..<20 { try kafka.publish(flow: flow, 0..<3) }
        try kafka.flush()
        let source = try kafka.source(group: "interval", commitInterval: .seconds(3600))
        #expect(try drain(source).count == 60)
        // An hour has not passed since the source started: no commit until close, which commits once.
        #expect(source.statistics.commits == 0)
        source.close()
        #expect(source.statistics.commits == 1)
        let again = try kafka.source(group: "interval")
        #expect(try drain(again).isEmpty)
        again.close()
    }

    @Test func fromTheBeginningReadsEverythingWhateverTheGroupCommitted() throws {
        let kafka = try KafkaFixture()
        try Self.publishFlows(kafka)
        let first = try kafka.source(group: "start")
        #expect(try drain(first).count == 360)
        first.close()
        let committed = try kafka.source(group: "start")
        #expect(try drain(committed).isEmpty)
        committed.close()
        let beginning = try kafka.source(group: "start", start: .beginning)
        #expect(byFlow(try drain(beginning)) == Self.everyFlow)
        beginning.close()
    }

    @Test func malformedValuesAreSkippedCountedLoggedAndCommitted() throws {
        let kafka = try KafkaFixture(partitions: 1)
        try kafka.publish(flow: 1, 0..<5)
        try kafka.publish(key: 2, value: Array("not a pcap file at all, just some text".utf8))
        try kafka.publish(key: 3, value: [])
        var truncated = try {
            let writer = PcapWriter(sink: MemorySink(), linkType: .ethernet)
            try FlowPacket(flow: 4, sequence: 0).bytes.withUnsafeBytes { bytes in
                try writer.write(PacketRecord(timestamp: Timestamp(nanoseconds: 0), originalLength: UInt32(bytes.count),
                                              linkType: .ethernet, bytes: bytes))
            }
            try writer.flush()
            return writer.sink.bytes
        }()
        truncated.removeLast(7)
        try kafka.publish(key: 4, value: truncated)
        try kafka.publish(flow: 5, 0..<5)
        try kafka.flush()

        let source = try kafka.source(group: "malformed")
        let packets = try drain(source)
        source.close()
        #expect(packets.map(\.flow) == Array(repeating: 1, count: 5) + Array(repeating: 5, count: 5))
        #expect(source.statistics.messagesConsumed == 5 && source.statistics.messagesMalformed == 3)
        let warnings = kafka.logs.messages(atLeast: .warning)
        #expect(warnings.count == 3, "\(warnings)")
        #expect(warnings.contains { $0.contains("@1 (key 0000000000000002)") && $0.contains("magic number") && $0.hasSuffix("skipped") })
        #expect(warnings.contains { $0.contains("@2 ") && $0.contains("0 bytes, shorter than a 24-byte pcap file header") })
        #expect(warnings.contains { $0.contains("@3 ") && $0.contains("packet 1: record at byte 24 holds") })
        let again = try kafka.source(group: "malformed")
        #expect(try drain(again).isEmpty, "the malformed messages were not committed")
        again.close()
    }

    @Test func aChunkPublishedTwiceIsReplayedOnceAndMessagesWithoutChunkHeadersEveryTime() throws {
        let kafka = try KafkaFixture(partitions: 1)
        try kafka.publish(flow: 1, 0..<5, chunk: 0)
        try kafka.publish(flow: 1, 5..<10, chunk: 1)
        try kafka.publish(flow: 1, 5..<10, chunk: 1)  // a republish after a publisher restart
        try kafka.publish(flow: 2, 0..<3)
        try kafka.publish(flow: 2, 0..<3)
        try kafka.publish(flow: 1, 10..<12, chunk: 2)
        try kafka.flush()
        let source = try kafka.source(group: "duplicates")
        let packets = try drain(source)
        source.close()
        #expect(byFlow(packets) == [1: Array(0..<12), 2: Array(0..<3) + Array(0..<3)])
        #expect(source.statistics.messagesConsumed == 6 && source.statistics.messagesDuplicate == 1)
        let again = try kafka.source(group: "duplicates")
        #expect(try drain(again).isEmpty, "the duplicate was not committed")
        again.close()
    }

    @Test func messagesPublishedAfterTheStartAreLeftForTheNextRunUnlessFollowing() throws {
        let kafka = try KafkaFixture(partitions: 2)
        try Self.publishFlows(kafka, flows: 0..<4)
        let source = try kafka.source(group: "end")
        // Read a little so that every partition has been heard of, then publish more.
        var packets = try drain(source, limit: 5)
        try kafka.publish(flow: 50, 0..<10)
        try kafka.flush()
        packets += try drain(source, returnedBefore: packets.count)
        source.close()
        #expect(packets.count == 4 * 30)
        #expect(!packets.contains { $0.flow == 50 })
        let next = try kafka.source(group: "end")
        #expect(try drain(next) == (0..<10).map { FlowPacket(flow: 50, sequence: $0) })
        next.close()
    }

    @Test func followingWaitsForNewMessagesUntilStopped() throws {
        let kafka = try KafkaFixture(partitions: 2)
        try kafka.publish(flow: 1, 0..<10)
        try kafka.flush()
        let stop = ReplayStopHandle()
        let source = try kafka.source(group: "follow", follow: true, stop: stop)
        var packets = try drain(source, limit: 10)
        try kafka.publish(flow: 2, 0..<10)
        try kafka.flush()
        packets += try drain(source, limit: 10, returnedBefore: packets.count)
        #expect(byFlow(packets) == [1: Array(0..<10), 2: Array(0..<10)])
        // Nothing more comes: a stop from another thread ends the wait.
        Thread { stop.stop() }.start()
        let started = ContinuousClock.now
        #expect(try source.next() == nil)
        #expect(ContinuousClock.now - started < .seconds(5))
        source.close()
    }

    @Test func anUnreachableClusterFailsBeforeAnythingIsRead() throws {
        let kafka = try KafkaFixture()
        var configuration = KafkaReplayConfiguration(
            consumer: KafkaConsumerConfiguration(bootstrapServers: ["127.0.0.1:1"], groupID: "unreachable"), topic: kafka.topic)
        configuration.brokerTimeout = .seconds(1)
        #expect {
            _ = try KafkaReplaySource(configuration: configuration, stopHandle: nil, logger: kafka.logger)
        } throws: { error in
            guard case ReplayError.source(let name, let reason) = error else { return false }
            return name == "kafka topic \(kafka.topic)" && reason.contains("watermarks of \(kafka.topic)[0]")
        }
    }
}
