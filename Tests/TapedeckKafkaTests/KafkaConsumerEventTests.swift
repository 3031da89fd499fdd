import TapedeckKafka
import Testing

/// ``KafkaConsumer/pollEvent(timeout:)`` with partition ends, watermarks and the assignment, on the
/// mock cluster: what a consumer needs to stop at the end of a topic.
@Suite struct KafkaConsumerEventTests {
    @Test func partitionEndsComeAtTheWatermarksAfterEveryMessage() throws {
        let (logger, _) = memoryLogger()
        let cluster = try KafkaMockCluster(brokers: 1, logger: logger)
        let topic = uniqueTopic("events")
        try cluster.createTopic(topic, partitions: 3, replicationFactor: 1)
        let producer = try KafkaProducer(configuration: testProducerConfiguration(cluster.bootstrapServers), logger: logger) { _ in }
        for index in 0..<20 {
            try producer.produce(topic: topic, key: bytes("key-\(index % 2)"), value: bytes("value \(index)"))
        }
        #expect(producer.close(timeout: .seconds(30)))

        var configuration = KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: "events")
        configuration.startPosition = .beginning
        configuration.reportsPartitionEnd = true
        let consumer = try KafkaConsumer(configuration: configuration, topics: [topic], logger: logger)
        defer { try? consumer.close() }
        // Two keys, three partitions: at least one partition is empty and still ends.
        let watermarks = try (0..<3).map { try consumer.watermarks(topic: topic, partition: Int32($0), timeout: .seconds(10)) }
        #expect(watermarks.map(\.low) == [0, 0, 0])
        #expect(watermarks.map(\.high).reduce(0, +) == 20 && watermarks.contains { $0.high == 0 })

        var received: [Int32: [Int64]] = [:]
        var ends: [Int32: Int64] = [:]
        let deadline = ContinuousClock.now + .seconds(60)
        while ends.count < 3, ContinuousClock.now < deadline {
            switch try consumer.pollEvent(timeout: .milliseconds(100)) {
            case .message(let message):
                #expect(ends[message.partition] == nil, "a message after its partition's end")
                received[message.partition, default: []].append(message.offset)
            case .partitionEnd(let position):
                ends[position.partition] = position.offset
            case .error(let error):
                Issue.record("consumer error: \(error)")
            case nil:
                break
            }
        }
        #expect(ends == [0: watermarks[0].high, 1: watermarks[1].high, 2: watermarks[2].high])
        for partition in 0..<3 {
            #expect(received[Int32(partition)] ?? [] == Array(0..<watermarks[partition].high))
        }
        #expect(try consumer.assignment().map(\.partition).sorted() == [0, 1, 2])
    }
}
