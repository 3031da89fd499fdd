import Foundation
import Synchronization
import Testing
import TapedeckCore
import TapedeckKafka
import TapedeckPOSIX

/// Tapedeck's Kafka clients against a real broker (noida-db, started by `.ci/run`), checked with
/// an independent client, kcat.
@Suite(.serialized) struct KafkaBrokerTests {
    /// A printable value of `length` bytes that differs per `index` (kcat's JSON output holds text).
    private func value(_ index: Int, length: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var state = UInt64(index) &* 0x9E37_79B9_7F4A_7C15 | 1
        return "value \(index) " + String((0..<length).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return alphabet[Int(state % UInt64(alphabet.count))]
        })
    }

    private func flowHeaders(_ index: Int) -> FlowChunkHeaders {
        FlowChunkHeaders(flowID: UInt64(index % 7) &* 0x1000_0000_0000_0001, fiveTuple: FiveTuple(
            ipProtocol: 6, source: IPAddress(ipv4: 0x0A00_0001), destination: IPAddress(ipv4: 0x0A00_0002),
            sourcePort: UInt16(1000 + index % 7), destinationPort: 80),
            firstTimestamp: Timestamp(seconds: 1_700_000_000 + Int64(index), nanoseconds: 1),
            lastTimestamp: Timestamp(seconds: 1_700_000_000 + Int64(index), nanoseconds: 999_999_999),
            packets: index + 1, bytes: 60 * (index + 1), chunk: index / 7,
            closeReason: index >= 63 ? .fin : nil, sensor: "ci")
    }

    @Test func producedMessagesReachKcatWithKeysValuesAndHeadersInOrder() async throws {
        let topic = KafkaBroker.uniqueTopic("produce")
        let deliveries = Deliveries()
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: [try KafkaBroker.address()]),
                                         logger: KafkaBroker.logger, deliveryReportHandler: deliveries.record)
        // Small values and a few chunk-sized ones (900 KiB, the flow chunk limit).
        let lengths = (0..<70).map { $0 % 23 == 5 ? 900 * 1024 : ($0 * 37) % 3000 }
        for (index, length) in lengths.enumerated() {
            let headers = flowHeaders(index)
            try producer.produce(topic: topic, key: headers.key, value: Array(value(index, length: length).utf8),
                                 headers: headers.kafkaHeaders, id: UInt64(index))
        }
        #expect(producer.close(timeout: .seconds(60)))
        #expect(deliveries.acknowledged == lengths.count)

        let messages = try await KafkaBroker.kcatConsume(topic)
        #expect(messages.count == lengths.count)
        for (index, message) in messages.enumerated() where index < lengths.count {
            let headers = flowHeaders(index)
            #expect(message.offset == Int64(index))
            #expect(message.key == FlowChunkHeaders.flowIDText(headers.flowID))
            #expect(message.payload == value(index, length: lengths[index]))
            #expect(message.headers.map(\.description) == headers.kafkaHeaders.map(\.description))
        }
    }

    @Test func consumerStartsAtATimeAndResumesAfterItsCommit() throws {
        let address = try KafkaBroker.address()
        let topic = KafkaBroker.uniqueTopic("consume")
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: [address]),
                                         logger: KafkaBroker.logger) { _ in }
        for index in 0..<20 { try producer.produce(topic: topic, key: Array("k".utf8), value: Array("early \(index)".utf8)) }
        try producer.flush(timeout: .seconds(30))
        usleep(50_000)  // Kafka timestamps have millisecond precision; keep the two batches apart.
        let boundary = Timestamp.now()
        usleep(50_000)
        for index in 0..<20 { try producer.produce(topic: topic, key: Array("k".utf8), value: Array("late \(index)".utf8)) }
        #expect(producer.close(timeout: .seconds(30)))

        func read(_ count: Int, _ start: KafkaStartPosition, group: String, commitLast: Bool = false) throws -> [String] {
            var configuration = KafkaConsumerConfiguration(bootstrapServers: [address], groupID: group)
            configuration.startPosition = start
            let consumer = try KafkaConsumer(configuration: configuration, topics: [topic], logger: KafkaBroker.logger)
            var values: [String] = []
            var last: KafkaConsumerMessage?
            let deadline = ContinuousClock.now + .seconds(60)
            while values.count < count, ContinuousClock.now < deadline {
                if let message = try consumer.poll(timeout: .milliseconds(200)) {
                    values.append(String(decoding: message.value, as: UTF8.self))
                    last = message
                }
            }
            if commitLast, let last { try consumer.commit(last) }
            try consumer.close()
            return values
        }

        #expect(try read(20, .time(boundary), group: "time-\(topic)") == (0..<20).map { "late \($0)" })
        let group = "commit-\(topic)"
        #expect(try read(15, .committedElseBeginning, group: group, commitLast: true) == (0..<15).map { "early \($0)" })
        #expect(try read(25, .committedElseBeginning, group: group) == (15..<20).map { "early \($0)" } + (0..<20).map { "late \($0)" })
        #expect(try read(40, .beginning, group: group).count == 40)
    }

    @Test func durablePublisherDeliversEveryUnitAndKeepsItsCursor() async throws {
        let topic = KafkaBroker.uniqueTopic("publisher")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tapedeck-kafka-\(UUID().uuidString)").path
        try FileSystem.createDirectory(directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = DurablePublisherConfiguration(
            producer: KafkaProducerConfiguration(bootstrapServers: [try KafkaBroker.address()]),
            topic: topic, cursorPath: directory + "/flows.cursor")
        func unit(_ position: UInt64) -> PublishableUnit<UInt64> {
            let headers = flowHeaders(Int(position))
            return PublishableUnit(position: position, key: headers.key, value: Array(value(Int(position), length: 500).utf8),
                                   headers: headers.kafkaHeaders)
        }
        do {
            let publisher = try DurablePublisher<UInt64>(configuration: configuration, logger: KafkaBroker.logger)
            for position: UInt64 in 1...500 { try publisher.publish(unit(position)) }
            // Dropped without closing: whatever the cursor file says is where the next run resumes.
        }
        let reopened = try DurablePublisher<UInt64>(configuration: configuration, logger: KafkaBroker.logger)
        let cursor = reopened.cursor ?? 0
        for position in (cursor + 1)..<1001 { try reopened.publish(unit(position)) }
        try reopened.close(timeout: .seconds(60))
        #expect(reopened.cursor == 1000)

        let messages = try await KafkaBroker.kcatConsume(topic)
        let positions = messages.map { message in
            Int(message.payload?.split(separator: " ").dropFirst().first ?? "") ?? -1
        }
        #expect(Set(positions) == Set(1...1000))
        // What a deduplicating consumer keeps (the last copy of each unit) is in publish order.
        var lastIndex: [Int: Int] = [:]
        for (index, position) in positions.enumerated() { lastIndex[position] = index }
        let order = lastIndex.sorted { $0.value < $1.value }.map(\.key)
        #expect(order == order.sorted())
    }
}

/// Counts acknowledged delivery reports.
private final class Deliveries: Sendable {
    private let count = Mutex<Int>(0)

    var acknowledged: Int { count.withLock { $0 } }

    var record: @Sendable (KafkaDeliveryReport) -> Void {
        { report in
            if case .acknowledged = report.status { self.count.withLock { $0 += 1 } }
        }
    }
}
