import Testing
import TapedeckKafka

/// Producer → mock cluster → consumer: the same keys, values and headers come back, in produce
/// order within each partition.
@Suite struct KafkaRoundTripTests {
    @Test func messagesWithHeadersComeBackInOrderPerPartition() throws {
        let (logger, _) = memoryLogger()
        let cluster = try KafkaMockCluster(brokers: 3, logger: logger)
        let topic = uniqueTopic("roundtrip")
        try cluster.createTopic(topic, partitions: 4, replicationFactor: 3)

        let deliveries = DeliveryCollector()
        let producer = try KafkaProducer(configuration: testProducerConfiguration(cluster.bootstrapServers),
                                         logger: logger, deliveryReportHandler: deliveries.handler)
        let count = 500
        for index in 0..<count {
            let key = bytes("flow-\(index % 7)")
            let headers: KafkaHeaderBlock = [KafkaHeader(name: "tapedeck-chunk", string: "\(index / 7)"),
                           KafkaHeader(name: "tapedeck-index", string: "\(index)"),
                           KafkaHeader(name: "empty", value: []), KafkaHeader(name: "null", value: nil)]
            try producer.produce(topic: topic, key: key, value: bytes("value \(index) ") + [UInt8](repeating: UInt8(index % 251), count: index),
                                 headers: headers, id: UInt64(index))
        }
        #expect(producer.close(timeout: .seconds(30)))
        let reports = deliveries.all
        #expect(reports.count == count)
        #expect(Set(reports.map(\.id)) == Set((0..<count).map(UInt64.init)))
        var partitionOf: [UInt64: Int32] = [:]
        for report in reports {
            guard case .acknowledged(let partition, _) = report.status else {
                Issue.record("message \(report.id) failed: \(report.status)")
                continue
            }
            partitionOf[report.id] = partition
        }

        let messages = try consume(bootstrapServers: cluster.bootstrapServers, topic: topic, count: count, logger: logger)
        #expect(messages.count == count)
        for message in messages {
            let index = Int(message.header("tapedeck-index")!.stringValue!)!
            #expect(message.key == bytes("flow-\(index % 7)"))
            #expect(message.value == bytes("value \(index) ") + [UInt8](repeating: UInt8(index % 251), count: index))
            #expect(message.headers.map(\.name) == ["tapedeck-chunk", "tapedeck-index", "empty", "null"])
            #expect(message.header("tapedeck-chunk")?.stringValue == "\(index / 7)")
            #expect(message.header("empty")?.value == [])
            #expect(message.header("null")?.value == nil)
            #expect(message.partition == partitionOf[UInt64(index)])
            #expect(message.timestamp != nil)
        }
        // Per partition, offsets follow produce order; per key, one partition.
        for (partition, inPartition) in Dictionary(grouping: messages, by: \.partition) {
            let indices = inPartition.sorted { $0.offset < $1.offset }.map { Int($0.header("tapedeck-index")!.stringValue!)! }
            #expect(indices == indices.sorted(), "partition \(partition) is out of produce order")
        }
        for (key, withKey) in Dictionary(grouping: messages, by: { $0.key! }) {
            #expect(Set(withKey.map(\.partition)).count == 1, "key \(key) spread over partitions")
        }
    }
}
