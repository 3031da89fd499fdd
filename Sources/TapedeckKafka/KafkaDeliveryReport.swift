/// What became of one produced message: librdkafka's delivery report (`dr_msg_cb`).
public struct KafkaDeliveryReport: Sendable {
    /// The number the caller gave ``KafkaProducer/produce(topic:key:value:headers:id:)``
    /// (librdkafka's per-message opaque).
    public var id: UInt64
    /// Whether the broker acknowledged the message.
    public var status: KafkaDeliveryStatus
}

/// The outcome of one message's delivery.
public enum KafkaDeliveryStatus: Sendable, Equatable {
    /// The broker acknowledged the message (with the producer's `acks`): it is stored at `offset`
    /// of `partition`.
    case acknowledged(partition: Int32, offset: Int64)
    /// librdkafka gave up on the message (retries exhausted, `message.timeout.ms` passed, a
    /// permanent broker error, or the producer was purged or destroyed).
    case failure(KafkaError)
}
