import Foundation
import Logging
import Testing
import TapedeckKafka
import TapedeckPOSIX

/// The durable publisher against the mock cluster: the cursor advances only over acknowledged
/// units, survives reopening and crashes, and every unit reaches Kafka at least once.
@Suite struct DurablePublisherTests {
    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tapedeck-kafka-\(UUID().uuidString)").path
        try FileSystem.createDirectory(path)
        return path
    }

    /// A mock cluster with a fresh topic, and a publisher configuration for that topic whose
    /// cursor file is in `directory`.
    private func mockTopic(_ prefix: String, brokers: Int32, partitions: Int32, directory: String, logger: Logger) throws
        -> (cluster: KafkaMockCluster, configuration: DurablePublisherConfiguration) {
        let cluster = try KafkaMockCluster(brokers: brokers, logger: logger)
        let topic = uniqueTopic(prefix)
        try cluster.createTopic(topic, partitions: partitions, replicationFactor: brokers)
        let configuration = DurablePublisherConfiguration(producer: testProducerConfiguration(cluster.bootstrapServers),
                                                          topic: topic, cursorPath: directory + "/cursor")
        return (cluster, configuration)
    }

    private func unit(_ position: UInt64) -> PublishableUnit<UInt64> {
        PublishableUnit(position: position, key: bytes("flow-\(position % 5)"), value: bytes("unit \(position)"),
                        headers: [KafkaHeader(name: "position", string: "\(position)")])
    }

    @Test func publishesEveryUnitAndPersistsTheCursor() throws {
        let (logger, _) = memoryLogger()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (cluster, configuration) = try mockTopic("durable", brokers: 3, partitions: 3, directory: directory, logger: logger)
        let topic = configuration.topic
        do {
            let publisher = try DurablePublisher<UInt64>(configuration: configuration, logger: logger)
            #expect(publisher.cursor == nil)
            for position: UInt64 in 1...300 { try publisher.publish(unit(position)) }
            #expect(publisher.flush(timeout: .seconds(30)))
            #expect(publisher.cursor == 300)
            let statistics = publisher.statistics
            #expect(statistics.published == 300)
            #expect(statistics.acknowledged == 300)
            #expect(statistics.pendingUnits == 0)
            #expect(statistics.deliveryFailures == 0)
            #expect(statistics.cursorWrites >= 1)
            try publisher.close(timeout: .seconds(10))
            #expect(throws: DurablePublisherError.closed) { try publisher.publish(unit(301)) }
        }
        let text = String(decoding: try FileSystem.readWholeFile(directory + "/cursor"), as: UTF8.self)
        #expect(text == "tapedeck-publish-cursor 1\ntopic \(topic)\nposition 300\n")
        let reopened = try DurablePublisher<UInt64>(configuration: configuration, logger: logger)
        #expect(reopened.cursor == 300)
        #expect(throws: DurablePublisherError.positionNotIncreasing(previous: "300", position: "300")) {
            try reopened.publish(unit(300))
        }
        try reopened.close(timeout: .seconds(5))

        let messages = try consume(bootstrapServers: cluster.bootstrapServers, topic: topic, count: 300, logger: logger)
        #expect(messages.map { UInt64($0.header("position")!.stringValue!)! }.sorted() == Array(1...300))
    }

    /// A full window holds publishing up until acknowledgements make room (half the window, or
    /// all of it for a unit bigger than half), and never holds more than its bounds.
    @Test func aFullWindowWaitsForRoomAndStaysWithinItsBounds() throws {
        let (logger, _) = memoryLogger()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var (cluster, configuration) = try mockTopic("durable-window", brokers: 1, partitions: 2, directory: directory, logger: logger)
        let topic = configuration.topic
        configuration.maxRetainedUnits = 4
        configuration.maxRetainedBytes = 200
        let publisher = try DurablePublisher<UInt64>(configuration: configuration, logger: logger)
        for position: UInt64 in 1...300 {
            // Every tenth unit takes more than half the window's bytes.
            let value = bytes(position % 10 == 0 ? String(repeating: "x", count: 150) : "unit \(position)")
            try publisher.publish(PublishableUnit(position: position, key: bytes("k\(position % 3)"), value: value))
            let statistics = publisher.statistics
            #expect(statistics.pendingUnits <= 4 && statistics.pendingBytes <= 200)
        }
        #expect(publisher.flush(timeout: .seconds(60)))
        #expect(publisher.cursor == 300)
        try publisher.close(timeout: .seconds(10))
        let messages = try consume(bootstrapServers: cluster.bootstrapServers, topic: topic, count: 300, logger: logger)
        #expect(messages.count == 300)
    }

    @Test func refusesUnusableInput() throws {
        let (logger, _) = memoryLogger()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = DurablePublisherConfiguration(producer: KafkaProducerConfiguration(bootstrapServers: ["127.0.0.1:1"]),
                                                          topic: "a", cursorPath: directory + "/cursor")
        configuration.producer.messageMaxBytes = 2000
        let publisher = try DurablePublisher<UInt64>(configuration: configuration, logger: logger)
        #expect(throws: DurablePublisherError.unitTooLarge(bytes: 2001, limit: 2000)) {
            try publisher.publish(PublishableUnit(position: 1, key: [1], value: [UInt8](repeating: 0, count: 2000)))
        }
        try FileSystem.writeAtomically(directory: directory, name: "cursor", bytes: bytes("tapedeck-publish-cursor 1\ntopic b\nposition 7\n"))
        #expect(throws: DurablePublisherError.cursorForOtherTopic(path: directory + "/cursor", topic: "b")) {
            _ = try DurablePublisher<UInt64>(configuration: configuration, logger: logger)
        }
        try FileSystem.writeAtomically(directory: directory, name: "cursor", bytes: bytes("tapedeck-publish-cursor 1\ntopic a\nposition x\n"))
        #expect(throws: DurablePublisherError.cursorUnreadable(path: directory + "/cursor", reason: "\"x\" is not a position")) {
            _ = try DurablePublisher<UInt64>(configuration: configuration, logger: logger)
        }
        configuration.producer.properties["no.such.property"] = "1"
        #expect(throws: DurablePublisherError.self) {
            _ = try DurablePublisher<UInt64>(configuration: configuration, logger: logger)
        }
    }

    @Test func cursorWriteFailuresAreCountedLoggedAndRetried() throws {
        let (logger, log) = memoryLogger()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var (cluster, configuration) = try mockTopic("cursor-failure", brokers: 1, partitions: 1, directory: directory, logger: logger)
        defer { withExtendedLifetime(cluster) {} }  // the broker the publisher talks to
        configuration.cursorInterval = .milliseconds(50)
        let publisher = try DurablePublisher<UInt64>(configuration: configuration, logger: logger)
        try FileManager.default.removeItem(atPath: directory)
        for position: UInt64 in 1...10 { try publisher.publish(unit(position)) }
        #expect(publisher.flush(timeout: .seconds(2)) == false)
        #expect(publisher.cursor == 10)
        #expect(publisher.statistics.cursorWriteFailures > 0)
        #expect(log.messages(atLeast: .error).contains { $0.contains("could not write the Kafka publish cursor") })
        try FileSystem.createDirectory(directory)
        #expect(publisher.flush(timeout: .seconds(10)))
        try publisher.close(timeout: .seconds(5))
        #expect(String(decoding: try FileSystem.readWholeFile(directory + "/cursor"), as: UTF8.self).hasSuffix("position 10\n"))
    }
}
