import CRdKafka

/// A borrowed `rd_kafka_t *`: the C calls on a librdkafka instance, each wrapped once.
///
/// It does not own the instance; ``RdKafkaClient`` does. librdkafka instances are thread-safe,
/// hence `@unchecked Sendable`.
struct RdKafkaHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    /// Serves queued callbacks (delivery reports, errors) for up to `timeout` (`rd_kafka_poll`).
    func poll(timeout: Duration) {
        rd_kafka_poll(pointer, Int32(timeout.milliseconds))
    }

    /// Makes an `rd_kafka_poll` running on another thread return at once (`rd_kafka_queue_yield`
    /// on the main queue, which `rd_kafka_poll` serves; `rd_kafka_yield` only works from a
    /// callback on the polling thread).
    func wakePoll() {
        guard let queue = rd_kafka_queue_get_main(pointer) else { return }
        rd_kafka_queue_yield(queue)
        rd_kafka_queue_destroy(queue)
    }

    /// Waits until every queued and in-flight message has a delivery report, at most `timeout`
    /// (`rd_kafka_flush`).
    func flush(timeout: Duration) throws(KafkaError) {
        let code = rd_kafka_flush(pointer, Int32(timeout.milliseconds))
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: .init(code), message: "\(outstandingMessages) messages not delivered yet",
                             context: "flush")
        }
    }

    /// Messages queued or in flight, with delivery reports not yet served (`rd_kafka_outq_len`).
    var outstandingMessages: Int { Int(rd_kafka_outq_len(pointer)) }

    /// Drops queued and in-flight messages; their delivery reports say `_PURGE_QUEUE` or
    /// `_PURGE_INFLIGHT` (`rd_kafka_purge`).
    func purge() {
        rd_kafka_purge(pointer, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
    }

    /// The instance's fatal error, if one was raised (`rd_kafka_fatal_error`).
    var fatalError: KafkaError? {
        var text = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(pointer, &text, text.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return KafkaError(code: .init(code), message: String(cBuffer: text), context: "fatal error")
    }

    /// Raises a fatal error as if the cluster had caused one, for tests (`rd_kafka_test_fatal_error`).
    func raiseFatalErrorForTesting(_ code: KafkaError.Code, reason: String) {
        rd_kafka_test_fatal_error(pointer, code.cValue, reason)
    }

    /// Destroys the instance (`rd_kafka_destroy`); only ``RdKafkaClient`` calls it.
    func destroy() {
        rd_kafka_destroy(pointer)
    }

    /// Reads a C topic-partition list into values.
    static func partitions(of list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) -> [KafkaTopicPartition] {
        guard let list, let elements = list.pointee.elems else { return [] }
        return (0..<Int(list.pointee.cnt)).map { index in
            let element = elements[index]
            return KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition,
                                       offset: element.offset)
        }
    }

    /// Runs `body` with a C topic-partition list holding `partitions`
    /// (`rd_kafka_topic_partition_list_new`, `_add`, `_destroy`).
    static func withPartitionList<Result>(
        _ partitions: [KafkaTopicPartition],
        _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws(KafkaError) -> Result
    ) throws(KafkaError) -> Result {
        let list = rd_kafka_topic_partition_list_new(Int32(clamping: max(1, partitions.count)))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in partitions {
            rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition).pointee.offset = partition.offset
        }
        return try body(list)
    }

    /// Throws a ``KafkaError`` for an `rd_kafka_error_t` and destroys it (`rd_kafka_error_code`,
    /// `rd_kafka_error_string`, `rd_kafka_error_destroy`).
    static func check(_ error: OpaquePointer?, context: @autoclosure () -> String) throws(KafkaError) {
        guard let error else { return }
        defer { rd_kafka_error_destroy(error) }
        throw KafkaError(code: .init(rd_kafka_error_code(error)), message: String(cString: rd_kafka_error_string(error)),
                         context: context())
    }
}
