import CRdKafka
import TapedeckCore

extension RdKafkaHandle {
    /// Routes the instance's main queue (logs, errors, rebalances) to the consumer queue, so one
    /// `rd_kafka_consumer_poll` serves everything (`rd_kafka_poll_set_consumer`).
    func redirectMainQueueToConsumer() throws(KafkaError) {
        let code = rd_kafka_poll_set_consumer(pointer)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: .init(code), context: "poll_set_consumer") }
    }

    /// Joins the group for `topics` (`rd_kafka_subscribe`).
    func subscribe(_ topics: [String]) throws(KafkaError) {
        let list = topics.map { KafkaTopicPartition(topic: $0, partition: -1) }
        let code = try Self.withPartitionList(list) { list throws(KafkaError) in rd_kafka_subscribe(pointer, list) }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: .init(code), context: "subscribe to \(topics.joined(separator: ","))")
        }
    }

    /// Sets the partitions to consume from, with their start offsets; nil clears the assignment
    /// (`rd_kafka_assign`).
    func assign(_ partitions: [KafkaTopicPartition]?) throws(KafkaError) {
        let code: rd_kafka_resp_err_t
        if let partitions {
            code = try Self.withPartitionList(partitions) { list throws(KafkaError) in rd_kafka_assign(pointer, list) }
        } else {
            code = rd_kafka_assign(pointer, nil)
        }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: .init(code), context: "assign") }
    }

    /// The offset of the first message at or after `time` in each partition, or
    /// ``KafkaTopicPartition/end`` when there is none (`rd_kafka_offsets_for_times`).
    func offsets(for partitions: [KafkaTopicPartition], at time: Timestamp,
                 timeout: Duration) throws(KafkaError) -> [KafkaTopicPartition] {
        let milliseconds = time.nanoseconds / 1_000_000
        let query = partitions.map { KafkaTopicPartition(topic: $0.topic, partition: $0.partition, offset: milliseconds) }
        return try Self.withPartitionList(query) { list throws(KafkaError) in
            let code = rd_kafka_offsets_for_times(pointer, list, Int32(timeout.milliseconds))
            guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(code: .init(code), context: "offsets for time \(time)")
            }
            return Self.partitions(of: list)
        }
    }

    /// The oldest retained offset and the offset the next message will get in one partition, as
    /// the partition's leader says now (`rd_kafka_query_watermark_offsets`).
    func watermarks(topic: String, partition: Int32, timeout: Duration) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = 0
        var high: Int64 = 0
        let code = rd_kafka_query_watermark_offsets(pointer, topic, partition, &low, &high, Int32(timeout.milliseconds))
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: .init(code), context: "watermarks of \(topic)[\(partition)]")
        }
        return (low, high)
    }

    /// The partitions currently assigned to this consumer (`rd_kafka_assignment`).
    func assignment() throws(KafkaError) -> [KafkaTopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let code = rd_kafka_assignment(pointer, &list)
        defer { if let list { rd_kafka_topic_partition_list_destroy(list) } }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: .init(code), context: "assignment") }
        return Self.partitions(of: list)
    }

    /// Commits offsets synchronously (`rd_kafka_commit` with `async=0`).
    func commit(_ partitions: [KafkaTopicPartition]) throws(KafkaError) {
        let code = try Self.withPartitionList(partitions) { list throws(KafkaError) in rd_kafka_commit(pointer, list, 0) }
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: .init(code), context: "commit \(partitions.map(\.description).joined(separator: ","))")
        }
    }

    /// The next message, partition end or consumer error, or nil after `timeout`
    /// (`rd_kafka_consumer_poll`, `rd_kafka_message_destroy`).
    func consumerPoll(timeout: Duration) -> Result<KafkaConsumerEvent, KafkaError>? {
        guard let message = rd_kafka_consumer_poll(pointer, Int32(timeout.milliseconds)) else { return nil }
        defer { rd_kafka_message_destroy(message) }
        return Self.read(message)
    }

    /// Leaves the group and stops fetching (`rd_kafka_consumer_close`).
    func consumerClose() throws(KafkaError) {
        let code = rd_kafka_consumer_close(pointer)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: .init(code), context: "consumer close") }
    }

    /// Copies a consumed message out of librdkafka (`rd_kafka_topic_name`, `rd_kafka_message_errstr`,
    /// `rd_kafka_message_timestamp`, `rd_kafka_message_headers`, `rd_kafka_header_get_all`).
    private static func read(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> Result<KafkaConsumerEvent, KafkaError> {
        let fields = message.pointee
        let topic = fields.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        if fields.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
            return .success(.partitionEnd(KafkaTopicPartition(topic: topic, partition: fields.partition, offset: fields.offset)))
        }
        guard fields.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let text = rd_kafka_message_errstr(message).map { String(cString: $0) }
            return .failure(KafkaError(code: .init(fields.err), message: text,
                                       context: "consume \(topic)[\(fields.partition)]"))
        }
        let key = fields.key.map { Array(UnsafeRawBufferPointer(start: $0, count: fields.key_len)) }
        let value = fields.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: fields.len)) } ?? []
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let milliseconds = rd_kafka_message_timestamp(message, &timestampType)
        let (nanoseconds, overflow) = milliseconds.multipliedReportingOverflow(by: 1_000_000)
        let timestamp = timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || overflow ? nil : Timestamp(nanoseconds: nanoseconds)
        var headers: [KafkaHeader] = []
        var list: OpaquePointer?
        if rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list {
            var index = 0
            var name: UnsafePointer<CChar>?
            var bytes: UnsafeRawPointer?
            var size = 0
            while rd_kafka_header_get_all(list, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let value = bytes.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
                headers.append(KafkaHeader(name: String(cString: name!), value: value))
                index += 1
            }
        }
        return .success(.message(KafkaConsumerMessage(topic: topic, partition: fields.partition, offset: fields.offset,
                                                      key: key, value: value, headers: headers, timestamp: timestamp)))
    }
}
