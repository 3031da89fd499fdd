import Foundation
import Logging
import Testing
import TapedeckKafka
import TapedeckPOSIX

/// The durable publisher under faults: an outage stalls the cursor and grows the lag; a crash
/// (dropping the publisher without closing it) loses nothing once the units after the persisted
/// cursor are published again; failed deliveries and fatal producer errors are counted, logged,
/// and followed by a republish.
@Suite struct DurablePublisherFaultTests {
    private struct Setup {
        let cluster: KafkaMockCluster
        let topic: String
        let logger: Logger
        let log: MemoryLogHandler.Store
        let directory: String
        var configuration: DurablePublisherConfiguration

        init() throws {
            (logger, log) = memoryLogger()
            (cluster, topic) = try faultTestCluster(topicPrefix: "publisher", logger: logger)
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("tapedeck-kafka-\(UUID().uuidString)").path
            try FileSystem.createDirectory(directory)
            configuration = DurablePublisherConfiguration(producer: testProducerConfiguration(cluster.bootstrapServers),
                                                          topic: topic, cursorPath: directory + "/cursor")
            configuration.retryBackoff = .milliseconds(200)
        }

        func open() throws -> DurablePublisher<UInt64> {
            try DurablePublisher<UInt64>(configuration: configuration, logger: logger)
        }

        func unit(_ position: UInt64) -> PublishableUnit<UInt64> {
            PublishableUnit(position: position, key: bytes("flow-\(position % 4)"), value: bytes("unit \(position)"),
                            headers: [KafkaHeader(name: "position", string: "\(position)")])
        }

        /// Removes the cursor's directory.
        func removeDirectory() {
            try? FileManager.default.removeItem(atPath: directory)
        }

        /// The positions in the topic, in partition order.
        func positionsInTopic(atLeast count: Int) throws -> [UInt64] {
            try consume(bootstrapServers: cluster.bootstrapServers, topic: topic, count: count, extra: .seconds(1),
                        logger: logger).map { UInt64($0.header("position")!.stringValue!)! }
        }
    }

    /// Every position 1...last is in `positions`, and the last occurrences of the positions are in
    /// increasing order (what a consumer that dedupes keeps, in order).
    private func expectEveryUnitAtLeastOnce(_ positions: [UInt64], through last: UInt64) {
        #expect(Set(positions) == Set(1...last))
        var lastIndex: [UInt64: Int] = [:]
        for (index, position) in positions.enumerated() { lastIndex[position] = index }
        let order = lastIndex.sorted { $0.value < $1.value }.map(\.key)
        #expect(order == order.sorted())
    }

    @Test func outageStallsTheCursorAndItCatchesUpAfterwards() throws {
        let setup = try Setup()
        defer { setup.removeDirectory() }
        let publisher = try setup.open()
        for position: UInt64 in 1...100 { try publisher.publish(setup.unit(position)) }
        #expect(publisher.flush(timeout: .seconds(30)))
        #expect(publisher.cursor == 100)

        try setup.cluster.setBrokerDown(1)
        for position: UInt64 in 101...250 { try publisher.publish(setup.unit(position)) }
        #expect(publisher.flush(timeout: .seconds(2)) == false)
        #expect(publisher.cursor == 100)
        let lag = publisher.statistics
        #expect(lag.pendingUnits == 150)
        #expect(lag.pendingBytes == (101...250).reduce(0) { $0 + setup.unit($1).size })
        #expect((lag.oldestPendingAge ?? .zero) >= .seconds(2))
        #expect(lag.deliveryFailures == 0)

        try setup.cluster.setBrokerUp(1)
        #expect(publisher.flush(timeout: .seconds(60)))
        #expect(publisher.cursor == 250)
        #expect(publisher.statistics.pendingUnits == 0)
        try publisher.close(timeout: .seconds(5))
        #expect(try setup.positionsInTopic(atLeast: 250) == Array(1...250))
    }

    @Test func crashDuringAnOutageRepublishesAfterThePersistedCursor() throws {
        let setup = try Setup()
        defer { setup.removeDirectory() }
        do {
            let publisher = try setup.open()
            for position: UInt64 in 1...100 { try publisher.publish(setup.unit(position)) }
            #expect(publisher.flush(timeout: .seconds(30)))
            try setup.cluster.setBrokerDown(1)
            for position: UInt64 in 101...200 { try publisher.publish(setup.unit(position)) }
            // Dropped without close: like kill -9, the queued units are gone with the process.
        }
        try setup.cluster.setBrokerUp(1)
        let reopened = try setup.open()
        #expect(reopened.cursor == 100)
        for position: UInt64 in 101...200 { try reopened.publish(setup.unit(position)) }
        #expect(reopened.flush(timeout: .seconds(60)))
        try reopened.close(timeout: .seconds(5))
        expectEveryUnitAtLeastOnce(try setup.positionsInTopic(atLeast: 200), through: 200)
    }

    @Test func crashMidStreamLosesNothing() throws {
        let setup = try Setup()
        defer { setup.removeDirectory() }
        do {
            let publisher = try setup.open()
            for position: UInt64 in 1...2000 { try publisher.publish(setup.unit(position)) }
            // Dropped while units are in flight and the cursor is wherever it got to.
        }
        let reopened = try setup.open()
        let cursor = reopened.cursor ?? 0
        #expect(cursor <= 2000)
        for position in (cursor + 1)..<2001 { try reopened.publish(setup.unit(position)) }
        #expect(reopened.flush(timeout: .seconds(60)))
        #expect(reopened.cursor == 2000)
        try reopened.close(timeout: .seconds(5))
        expectEveryUnitAtLeastOnce(try setup.positionsInTopic(atLeast: 2000), through: 2000)
    }

    @Test func failedDeliveriesAreCountedLoggedAndRepublished() throws {
        let setup = try Setup()
        defer { setup.removeDirectory() }
        let publisher = try setup.open()
        // A permanent error for the first produce requests: librdkafka fails those messages.
        setup.cluster.pushRequestErrors(.produce, [.invalidRecord, .invalidRecord])
        for position: UInt64 in 1...50 { try publisher.publish(setup.unit(position)) }
        #expect(publisher.flush(timeout: .seconds(60)))
        #expect(publisher.cursor == 50)
        let statistics = publisher.statistics
        #expect(statistics.deliveryFailures > 0)
        #expect(statistics.republishes >= 1)
        #expect(statistics.lastFailure?.code == .invalidRecord)
        #expect(setup.log.messages(atLeast: .error).contains { $0.contains("Kafka delivery failed") && $0.contains("INVALID_RECORD") })
        try publisher.close(timeout: .seconds(5))
        expectEveryUnitAtLeastOnce(try setup.positionsInTopic(atLeast: 50), through: 50)
    }

    @Test func aFatalProducerErrorReplacesTheProducer() throws {
        let setup = try Setup()
        defer { setup.removeDirectory() }
        let publisher = try setup.open()
        for position: UInt64 in 1...50 { try publisher.publish(setup.unit(position)) }
        #expect(publisher.flush(timeout: .seconds(30)))
        publisher.raiseProducerFatalErrorForTesting()
        for position: UInt64 in 51...100 { try publisher.publish(setup.unit(position)) }
        #expect(publisher.flush(timeout: .seconds(60)))
        #expect(publisher.cursor == 100)
        #expect(publisher.statistics.producerRestarts == 1)
        #expect(setup.log.messages(atLeast: .error).contains { $0.contains("fatal error") })
        try publisher.close(timeout: .seconds(5))
        expectEveryUnitAtLeastOnce(try setup.positionsInTopic(atLeast: 100), through: 100)
    }
}
