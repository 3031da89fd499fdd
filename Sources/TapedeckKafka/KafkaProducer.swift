import Logging
import Synchronization
import TapedeckPOSIX

/// A Kafka producer: one librdkafka producer instance, a thread that serves its delivery reports,
/// and backpressure when the local queue is full.
///
/// Delivery reports reach the handler given to ``init(configuration:logger:deliveryReportHandler:)``
/// on the producer's poll thread, one at a time, in produce order within each partition
/// (librdkafka's order; with the default idempotent configuration nothing is reordered or
/// duplicated by retries). The handler must be quick: it holds up the reports behind it.
///
/// ``close(timeout:)`` flushes; dropping the producer without closing it destroys the instance
/// without waiting, and messages not yet acknowledged are lost (the durable publisher's cursor is
/// what makes that safe).
public final class KafkaProducer: Sendable {
    private let client: RdKafkaClient
    private let queue: ProducerQueueState
    private let topics = Mutex<[String: RdKafkaTopic]>([:])
    private let pollThread: OSThread
    private let logger: Logger

    /// Creates the producer and starts its poll thread (`rd_kafka_new`, then `rd_kafka_poll` in a loop).
    ///
    /// - Parameter deliveryReportHandler: called once per produced message, on the poll thread.
    public init(configuration: KafkaProducerConfiguration, logger: Logger,
                deliveryReportHandler: @escaping @Sendable (KafkaDeliveryReport) -> Void) throws(KafkaError) {
        let queue = ProducerQueueState()
        let callbacks = RdKafkaCallbacks(logger: logger, delivery: { report in
            deliveryReportHandler(report)
            queue.released()
        })
        let client = try RdKafkaClient(.producer, properties: configuration.librdkafkaProperties, callbacks: callbacks)
        do {
            pollThread = try OSThread(name: "kafka-producer-poll") { [client] in
                while !queue.isClosing {
                    client.handle.poll(timeout: .milliseconds(100))
                }
            }
        } catch {
            throw KafkaError(code: .criticalSystemResource, message: error.description, context: "start the poll thread")
        }
        self.client = client
        self.queue = queue
        self.logger = logger
    }

    /// Enqueues a message for `topic` (`rd_kafka_produceva`): the key picks the partition, so
    /// every message with one key lands in one partition, in produce order.
    ///
    /// When the local queue is full (`_QUEUE_FULL`) this waits for delivery reports to make room
    /// and tries again; it never drops the message. It throws for anything else (e.g. a message
    /// larger than `message.max.bytes`, a fatal producer error, or a producer being closed).
    ///
    /// - Parameters:
    ///   - id: any number; it comes back in this message's ``KafkaDeliveryReport``.
    ///   - copyValue: whether librdkafka copies the value (the default). Without a copy it reads
    ///     `value`'s storage until the message's delivery report, so the caller must keep that
    ///     array alive (and unchanged) until then, and at least until ``close(timeout:)`` returns.
    public func produce(topic: String, key: [UInt8]?, value: [UInt8], copyValue: Bool = true,
                        headers: KafkaHeaderBlock = KafkaHeaderBlock(), id: UInt64 = 0) throws(KafkaError) {
        guard !queue.isClosing else {
            throw KafkaError(code: .destroyed, message: "the producer is closed", context: "produce to \(topic)")
        }
        let handle = try topicHandle(topic)
        while true {
            let observed = queue.generation
            do {
                return try client.handle.produce(topic: handle, key: key, value: value, copyValue: copyValue, headers: headers, id: id)
            } catch where error.code == .queueFull {
                if queue.isClosing {
                    throw KafkaError(code: .destroyed, message: "the producer is closing", context: "produce to \(topic)")
                }
                queue.wait(whileGenerationIs: observed, atMost: .milliseconds(100))
            }
        }
    }

    /// The handle of `topic`, created on first use.
    private func topicHandle(_ topic: String) throws(KafkaError) -> RdKafkaTopic {
        try topics.withLock { (topics) throws(KafkaError) -> RdKafkaTopic in
            if let handle = topics[topic] { return handle }
            let handle = try RdKafkaTopic(topic, client: client)
            topics[topic] = handle
            return handle
        }
    }

    /// Waits until every message produced so far has had its delivery report served, at most
    /// `timeout`; throws `_TIMED_OUT` when some have not. (The poll thread serves the reports;
    /// this watches `rd_kafka_outq_len`.)
    public func flush(timeout: Duration) throws(KafkaError) {
        let deadline = ContinuousClock.now + timeout
        while true {
            let observed = queue.generation
            let outstanding = client.handle.outstandingMessages
            if outstanding == 0 { return }
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero || queue.isClosing {
                throw KafkaError(code: .timedOut, message: "\(outstanding) messages not delivered yet", context: "flush")
            }
            queue.wait(whileGenerationIs: observed, atMost: min(remaining, .milliseconds(100)))
        }
    }

    /// Messages produced whose delivery reports have not been served (`rd_kafka_outq_len`).
    public var outstandingMessages: Int { client.handle.outstandingMessages }

    /// The fatal error this producer raised, if any (`rd_kafka_fatal_error`); once there is one,
    /// every produce and delivery fails and the producer must be replaced.
    public var fatalError: KafkaError? { client.handle.fatalError }

    /// Stops the poll thread, then flushes on the calling thread for at most `timeout`
    /// (`rd_kafka_flush`, which serves the remaining delivery reports here), then drops what is
    /// still undelivered (`rd_kafka_purge`; those messages get failure reports). Produce calls
    /// waiting for queue space fail. Returns whether everything was delivered in time.
    @discardableResult
    public func close(timeout: Duration) -> Bool {
        stopPolling()
        do {
            try client.handle.flush(timeout: timeout)
            return true
        } catch {
            logger.warning("closing the Kafka producer with messages undelivered", metadata: ["error": "\(error)"])
            client.handle.purge()
            try? client.handle.flush(timeout: .milliseconds(500))
            return false
        }
    }

    /// Raises a fatal error in the librdkafka instance, as a broker could (`rd_kafka_test_fatal_error`).
    package func raiseFatalErrorForTesting(reason: String) {
        client.handle.raiseFatalErrorForTesting(.invalidProducerEpoch, reason: reason)
    }

    private func stopPolling() {
        guard queue.close() else { return }
        client.handle.wakePoll()
        pollThread.join()
    }

    deinit {
        stopPolling()
    }
}
