import Foundation
import Logging
import Synchronization
import TapedeckKafka
import TapedeckPOSIX

/// A log handler that keeps every entry in memory, so tests can check what was logged.
struct MemoryLogHandler: LogHandler {
    /// The entries of one or more loggers.
    final class Store: Sendable {
        let entries = Mutex<[(level: Logger.Level, message: String)]>([])

        /// The messages logged at `level` or above.
        func messages(atLeast level: Logger.Level) -> [String] {
            entries.withLock { $0.filter { $0.level >= level }.map(\.message) }
        }
    }

    let store: Store
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let text = merged.isEmpty ? "\(event.message)" : "\(event.message) \(merged.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: " "))"
        store.entries.withLock { $0.append((event.level, text)) }
    }
}

/// A logger writing into a fresh in-memory store.
func memoryLogger(_ label: String = "tapedeck.kafka.tests") -> (Logger, MemoryLogHandler.Store) {
    let store = MemoryLogHandler.Store()
    return (Logger(label: label) { _ in MemoryLogHandler(store: store) }, store)
}

/// Collects delivery reports and lets a test wait for a number of them.
final class DeliveryCollector: Sendable {
    private let lock = ConditionLock()
    private let reports = Mutex<[KafkaDeliveryReport]>([])

    /// The handler to give a producer.
    var handler: @Sendable (KafkaDeliveryReport) -> Void {
        { report in
            self.reports.withLock { $0.append(report) }
            self.lock.withLock { self.lock.broadcast() }
        }
    }

    /// The reports so far, in arrival order.
    var all: [KafkaDeliveryReport] { reports.withLock { $0 } }

    /// Waits until `count` reports arrived or `timeout` passed; returns the reports.
    func wait(for count: Int, timeout: Duration) -> [KafkaDeliveryReport] {
        let deadline = ContinuousClock.now + timeout
        lock.withLock {
            while all.count < count, ContinuousClock.now < deadline {
                lock.wait(timeoutSeconds: 0.05)
            }
        }
        return all
    }
}

/// Reads messages from `topic` with a fresh consumer group until `count` arrived or `timeout`
/// passed, then for `extra` more (to catch duplicates).
func consume(bootstrapServers: [String], topic: String, count: Int, timeout: Duration = .seconds(60),
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
func testProducerConfiguration(_ bootstrapServers: [String]) -> KafkaProducerConfiguration {
    var configuration = KafkaProducerConfiguration(bootstrapServers: bootstrapServers)
    configuration.properties = [
        "reconnect.backoff.ms": "50",
        "reconnect.backoff.max.ms": "500",
        "retry.backoff.ms": "50",
        "topic.metadata.refresh.interval.ms": "1000",
    ]
    return configuration
}

/// Bytes of `text`.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A unique topic name.
func uniqueTopic(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())" }
