import Logging
import Synchronization
import TapedeckCore

/// A Kafka consumer in a consumer group, with manual, synchronous commits: one librdkafka
/// consumer instance, polled by the caller.
///
/// The group assigns partitions; the consumer starts each partition it gets for the first time
/// at its configuration's ``KafkaStartPosition``. Offsets are committed only by ``commit(_:)``,
/// so a consumer that crashes resumes after the last message it committed (at least once).
public final class KafkaConsumer: Sendable {
    private let client: RdKafkaClient
    private let logger: Logger

    /// Creates the consumer and subscribes to `topics` (`rd_kafka_new`, `rd_kafka_poll_set_consumer`,
    /// `rd_kafka_subscribe`). The group assigns partitions during later ``poll(timeout:)`` calls.
    public init(configuration: KafkaConsumerConfiguration, topics: [String], logger: Logger) throws(KafkaError) {
        let positioner = StartPositioner(configuration.startPosition, logger: logger)
        let callbacks = RdKafkaCallbacks(logger: logger, rebalance: { handle, event in
            positioner.rebalance(handle, event)
        })
        client = try RdKafkaClient(.consumer, properties: configuration.librdkafkaProperties, callbacks: callbacks)
        self.logger = logger
        try client.handle.redirectMainQueueToConsumer()
        try client.handle.subscribe(topics)
    }

    /// The next message, or nil when none arrived within `timeout` (`rd_kafka_consumer_poll`).
    ///
    /// Consumer errors that librdkafka recovers from by itself (a broker going away, a topic not
    /// created yet) are logged and make this return nil early; only a fatal error throws.
    public func poll(timeout: Duration) throws(KafkaError) -> KafkaConsumerMessage? {
        switch try pollEvent(timeout: timeout) {
        case .message(let message): message
        case .partitionEnd, .error, nil: nil
        }
    }

    /// The next message, partition end (with ``KafkaConsumerConfiguration/reportsPartitionEnd``)
    /// or consumer error, or nil when nothing happened within `timeout` (`rd_kafka_consumer_poll`).
    ///
    /// A consumer error librdkafka recovers from by itself (a broker going away, a topic that does
    /// not exist yet) is logged and returned as ``KafkaConsumerEvent/error(_:)``; only a fatal
    /// error throws.
    public func pollEvent(timeout: Duration) throws(KafkaError) -> KafkaConsumerEvent? {
        switch client.handle.consumerPoll(timeout: timeout) {
        case nil:
            return nil
        case .success(let event):
            return event
        case .failure(let error):
            if error.code == .fatal { throw error }
            logger.warning("Kafka consumer error", metadata: ["error": "\(error)"])
            return .error(error)
        }
    }

    /// The oldest retained offset and the offset the next message will get (the high watermark)
    /// of `partition`, asked of its leader (`rd_kafka_query_watermark_offsets`).
    public func watermarks(topic: String, partition: Int32, timeout: Duration) throws(KafkaError) -> (low: Int64, high: Int64) {
        try client.handle.watermarks(topic: topic, partition: partition, timeout: timeout)
    }

    /// The partitions the group currently assigns to this consumer (`rd_kafka_assignment`);
    /// empty until the first rebalance, which happens during ``poll(timeout:)`` calls.
    public func assignment() throws(KafkaError) -> [KafkaTopicPartition] {
        try client.handle.assignment()
    }

    /// Commits `message` as handled: the group resumes after it (`rd_kafka_commit`, synchronous).
    public func commit(_ message: KafkaConsumerMessage) throws(KafkaError) {
        try client.handle.commit([KafkaTopicPartition(topic: message.topic, partition: message.partition,
                                                      offset: message.offset + 1)])
    }

    /// Commits the given next offsets, one per partition (the offset of the first message not yet
    /// handled) synchronously (`rd_kafka_commit`).
    public func commit(nextOffsets: [KafkaTopicPartition]) throws(KafkaError) {
        try client.handle.commit(nextOffsets)
    }

    /// Leaves the group at once, handing its partitions to the other members
    /// (`rd_kafka_consumer_close`). Dropping the consumer does the same, then destroys it.
    public func close() throws(KafkaError) {
        try client.handle.consumerClose()
    }
}

/// Applies a ``KafkaStartPosition`` in the rebalance callback: a partition assigned for the first
/// time starts where the position says; one assigned again resumes at the group's committed offset.
private final class StartPositioner: Sendable {
    private let start: KafkaStartPosition
    private let logger: Logger
    private let positioned = Mutex<Set<KafkaTopicPartition>>([])

    init(_ start: KafkaStartPosition, logger: Logger) {
        self.start = start
        self.logger = logger
    }

    func rebalance(_ handle: RdKafkaHandle, _ event: RdKafkaCallbacks.Rebalance) {
        do throws(KafkaError) {
            switch event {
            case .assign(let partitions):
                logger.info("Kafka partitions assigned", metadata: ["partitions": "\(partitions)"])
                try handle.assign(try startOffsets(handle, partitions))
            case .revoke(let partitions):
                logger.info("Kafka partitions revoked", metadata: ["partitions": "\(partitions)"])
                try handle.assign(nil)
            case .error(let error):
                logger.warning("Kafka rebalance failed", metadata: ["error": "\(error)"])
                try handle.assign(nil)
            }
        } catch {
            logger.error("Kafka assignment failed", metadata: ["error": "\(error)"])
        }
    }

    /// The assignment with start offsets for the partitions seen for the first time.
    private func startOffsets(_ handle: RdKafkaHandle, _ partitions: [KafkaTopicPartition]) throws(KafkaError) -> [KafkaTopicPartition] {
        let unpositioned = positioned.withLock { seen in
            partitions.filter { seen.insert(Self.identity($0)).inserted }
        }
        var offsets: [KafkaTopicPartition: Int64] = [:]
        switch start {
        case .committedElseBeginning, .committedElseEnd:
            break
        case .beginning:
            for partition in unpositioned { offsets[Self.identity(partition)] = KafkaTopicPartition.beginning }
        case .end:
            for partition in unpositioned { offsets[Self.identity(partition)] = KafkaTopicPartition.end }
        case .time(let time):
            if !unpositioned.isEmpty {
                for found in try handle.offsets(for: unpositioned, at: time, timeout: .seconds(10)) {
                    offsets[Self.identity(found)] = found.offset < 0 ? KafkaTopicPartition.end : found.offset
                }
            }
        }
        return partitions.map { partition in
            var assigned = Self.identity(partition)
            assigned.offset = offsets[assigned] ?? KafkaTopicPartition.invalid
            return assigned
        }
    }

    /// The partition without an offset, as a set and dictionary key.
    private static func identity(_ partition: KafkaTopicPartition) -> KafkaTopicPartition {
        KafkaTopicPartition(topic: partition.topic, partition: partition.partition, offset: KafkaTopicPartition.invalid)
    }
}
