// What the Kafka, daemon, replay and evidence tests share: an in-memory logger, a consumer that
// reads a topic back, producer settings for quick recovery from outages, unique topic names, the
// mock cluster of the fault tests.
import Foundation
import Logging
import Synchronization
import TapedeckKafka

/// A log handler that keeps every entry in memory, so tests can check what was logged.
public struct MemoryLogHandler: LogHandler {
    /// The entries of one or more loggers.
    public final class Store: Sendable {
        let entries = Mutex<[(level: Logger.Level, message: String)]>([])

        /// The messages logged at `level` or above.
        public func messages(atLeast level: Logger.Level) -> [String] {
            entries.withLock { $0.filter { $0.level >= level }.map(\.message) }
        }
    }

    let store: Store
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let text = merged.isEmpty ? "\(event.message)" : "\(event.message) \(merged.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: " "))"
        store.entries.withLock { $0.append((event.level, text)) }
    }
}

/// A logger writing into a fresh in-memory store.
public func memoryLogger(_ label: String = "tapedeck.tests") -> (Logger, MemoryLogHandler.Store) {
    let store = MemoryLogHandler.Store()
    return (Logger(label: label) { _ in MemoryLogHandler(store: store) }, store)
}

/// Reads messages from `topic` with a fresh consumer group until `count` arrived or `timeout`
/// passed, then for `extra` more (to catch duplicates).
public func consume(bootstrapServers: [String], topic: String, count: Int, timeout: Duration = .seconds(60),
             extra: Duration = .zero, startPosition: KafkaStartPosition = .beginning,
             logger: Logger) throws -> [KafkaConsumerMessage] {
    var configuration = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers, groupID: "test-\(UUID().uuidString)")
    configuration.startPosition = startPosition
    let consumer = try KafkaConsumer(configuration: configuration, topics: [topic], logger: logger)
    defer { try? consumer.close() }
    var messages: [KafkaConsumerMessage] = []
    let deadline = ContinuousClock.now + timeout
    while messages.count < count, ContinuousClock.now < deadline {
        if let message = try consumer.poll(timeout: .milliseconds(200)) { messages.append(message) }
    }
    let extraDeadline = ContinuousClock.now + extra
    while ContinuousClock.now < extraDeadline {
        if let message = try consumer.poll(timeout: .milliseconds(100)) { messages.append(message) }
    }
    return messages
}

/// A producer configuration for tests: quick metadata refreshes and reconnects so that outages
/// end promptly; delivery guarantees as in production.
public func testProducerConfiguration(_ bootstrapServers: [String]) -> KafkaProducerConfiguration {
    var configuration = KafkaProducerConfiguration(bootstrapServers: bootstrapServers)
    configuration.properties = [
        "reconnect.backoff.ms": "50",
        "reconnect.backoff.max.ms": "500",
        "retry.backoff.ms": "50",
        "topic.metadata.refresh.interval.ms": "1000",
    ]
    return configuration
}

/// A unique topic name.
public func uniqueTopic(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())" }

/// A mock cluster of three brokers and a fresh one-partition topic (replicated to all three,
/// led by broker 1), the setup of the fault tests: broker 1 can be taken down or made the
/// source of request errors.
package func faultTestCluster(topicPrefix: String, logger: Logger) throws -> (cluster: KafkaMockCluster, topic: String) {
    let cluster = try KafkaMockCluster(brokers: 3, logger: logger)
    let topic = uniqueTopic(topicPrefix)
    try cluster.createTopic(topic, partitions: 1, replicationFactor: 3)
    try cluster.setPartitionLeader(topic: topic, partition: 0, broker: 1)
    return (cluster, topic)
}
