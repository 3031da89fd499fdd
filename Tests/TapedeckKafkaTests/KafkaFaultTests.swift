import Logging
import Testing
import TapedeckKafka

/// Faults injected with the mock cluster: a broker down and back, retriable request errors, leader
/// changes. Nothing is lost, duplicated or reordered: every message is acknowledged once, and the
/// single partition holds them in produce order.
@Suite struct KafkaFaultTests {
    /// A mock cluster with a one-partition topic led by broker 1, and a producer for it.
    private struct Setup {
        let cluster: KafkaMockCluster
        let topic: String
        let producer: KafkaProducer
        let deliveries = DeliveryCollector()
        let logger: Logger

        init() throws {
            (logger, _) = memoryLogger()
            (cluster, topic) = try faultTestCluster(topicPrefix: "faults", logger: logger)
            producer = try KafkaProducer(configuration: testProducerConfiguration(cluster.bootstrapServers),
                                         logger: logger, deliveryReportHandler: deliveries.handler)
        }

        func produce(_ range: Range<Int>) throws {
            for index in range {
                try producer.produce(topic: topic, key: bytes("flow-\(index % 3)"), value: bytes("message \(index)"),
                                     headers: [KafkaHeader(name: "index", string: "\(index)")], id: UInt64(index))
            }
        }

        /// Waits for `count` delivery reports and checks that every one is an acknowledgement,
        /// at increasing offsets in produce order.
        func expectAcknowledged(_ count: Int, timeout: Duration = .seconds(60)) {
            let reports = deliveries.wait(for: count, timeout: timeout)
            #expect(reports.count == count)
            var offsets: [Int64] = []
            for report in reports {
                guard case .acknowledged(_, let offset) = report.status else {
                    Issue.record("message \(report.id) failed: \(report.status)")
                    continue
                }
                offsets.append(offset)
            }
            #expect(reports.map(\.id) == (0..<UInt64(reports.count)).map { $0 })
            #expect(offsets == offsets.sorted())
        }

        /// Consumes the topic and checks it holds exactly messages 0..<count, in order.
        func expectTopicHolds(_ count: Int) throws {
            let messages = try consume(bootstrapServers: cluster.bootstrapServers, topic: topic, count: count,
                                       extra: .seconds(1), logger: logger)
            #expect(messages.map { $0.header("index")!.stringValue! } == (0..<count).map { "\($0)" })
            #expect(messages.map(\.value) == (0..<count).map { bytes("message \($0)") })
        }
    }

    @Test func brokerDownAndBackLosesAndReordersNothing() throws {
        let setup = try Setup()
        try setup.produce(0..<200)
        setup.expectAcknowledged(200)
        try setup.cluster.setBrokerDown(1)
        try setup.produce(200..<400)
        // While the leader is down, nothing more is acknowledged and nothing fails.
        let duringOutage = setup.deliveries.wait(for: 201, timeout: .seconds(3))
        #expect(duringOutage.count == 200)
        #expect(setup.producer.outstandingMessages == 200)
        try setup.cluster.setBrokerUp(1)
        setup.expectAcknowledged(400)
        #expect(setup.producer.close(timeout: .seconds(10)))
        try setup.expectTopicHolds(400)
    }

    @Test func retriableProduceErrorsAreRetriedUntilDelivered() throws {
        let setup = try Setup()
        setup.cluster.pushRequestErrors(.produce, [.notEnoughReplicas, .notEnoughReplicas, .leaderNotAvailable,
                                                   .notLeaderForPartition, .requestTimedOut, .notEnoughReplicas])
        try setup.produce(0..<300)
        setup.expectAcknowledged(300)
        #expect(setup.producer.close(timeout: .seconds(10)))
        try setup.expectTopicHolds(300)
    }

    @Test func leaderChangesMidStream() throws {
        let setup = try Setup()
        try setup.produce(0..<100)
        setup.expectAcknowledged(100)
        try setup.cluster.setPartitionLeader(topic: setup.topic, partition: 0, broker: 2)
        try setup.produce(100..<200)
        try setup.cluster.setPartitionLeader(topic: setup.topic, partition: 0, broker: 3)
        try setup.produce(200..<300)
        setup.expectAcknowledged(300)
        #expect(setup.producer.close(timeout: .seconds(10)))
        try setup.expectTopicHolds(300)
    }
}
