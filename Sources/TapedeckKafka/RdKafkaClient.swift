import CRdKafka

/// Owns one librdkafka instance (`rd_kafka_t`) and the callbacks it calls: creates it from
/// properties in `init` and destroys it in `deinit`.
final class RdKafkaClient: Sendable {
    /// Producer or consumer.
    enum Kind {
        case producer
        case consumer

        var cValue: rd_kafka_type_t { self == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER }
    }

    /// The instance.
    let handle: RdKafkaHandle
    private let callbacks: RdKafkaCallbacks

    /// Creates an instance with `properties` set in order, calling back into `callbacks`
    /// (`rd_kafka_conf_new`, `rd_kafka_conf_set`, `rd_kafka_new`; `rd_kafka_conf_destroy` on failure).
    init(_ kind: Kind, properties: [(String, String)], callbacks: RdKafkaCallbacks) throws(KafkaError) {
        let conf = rd_kafka_conf_new()!
        var text = [CChar](repeating: 0, count: 512)
        for (name, value) in properties {
            if rd_kafka_conf_set(conf, name, value, &text, text.count) != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                throw KafkaError(code: .invalidArgument, message: String(cBuffer: text), context: "property \(name)=\(value)")
            }
        }
        callbacks.install(on: conf)
        guard let pointer = rd_kafka_new(kind.cValue, conf, &text, text.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(code: .invalidArgument, message: String(cBuffer: text), context: "create \(kind)")
        }
        self.handle = RdKafkaHandle(pointer: pointer)
        self.callbacks = callbacks
    }

    deinit {
        handle.destroy()
        withExtendedLifetime(callbacks) {}
    }
}
