import CRdKafka

/// Owns a topic handle (`rd_kafka_topic_t`) of a producer: creating it asks the cluster for the
/// topic's metadata at once (`rd_kafka_topic_new`), instead of at librdkafka's next periodic
/// topic scan (up to a second later), and producing through it skips the topic lookup by name.
final class RdKafkaTopic: Sendable {
    /// The topic name.
    let name: String
    private let client: RdKafkaClient
    private let pointer: TopicPointer

    /// Creates the handle (`rd_kafka_topic_new`; `rd_kafka_last_error` on failure).
    init(_ name: String, client: RdKafkaClient) throws(KafkaError) {
        guard let pointer = rd_kafka_topic_new(client.handle.pointer, name, nil) else {
            throw KafkaError(code: .init(rd_kafka_last_error()), context: "topic \(name)")
        }
        self.name = name
        self.client = client
        self.pointer = TopicPointer(pointer: pointer)
    }

    /// The `rd_kafka_topic_t *`, valid while this object lives.
    var handle: OpaquePointer { pointer.pointer }

    deinit {
        rd_kafka_topic_destroy(pointer.pointer)
    }
}

/// The `rd_kafka_topic_t *`; topic handles are thread-safe.
private struct TopicPointer: @unchecked Sendable {
    let pointer: OpaquePointer
}
