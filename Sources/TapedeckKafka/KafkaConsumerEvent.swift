/// What ``KafkaConsumer/pollEvent(timeout:)`` returns: a message, the end of a partition, or a
/// consumer error librdkafka recovers from by itself.
public enum KafkaConsumerEvent: Sendable, Hashable {
    /// A message.
    case message(KafkaConsumerMessage)
    /// The consumer has read everything in a partition: `offset` is the offset the next message
    /// will get. Reported only with ``KafkaConsumerConfiguration/reportsPartitionEnd``, once each
    /// time the consumer catches up (`RD_KAFKA_RESP_ERR__PARTITION_EOF`).
    case partitionEnd(KafkaTopicPartition)
    /// A consumer error that is not fatal, e.g. `_UNKNOWN_TOPIC` or `UNKNOWN_TOPIC_OR_PART` for a
    /// topic that does not exist, or `_TRANSPORT` for a broker that went away.
    case error(KafkaError)
}
