import TapedeckCore

/// A message a ``KafkaConsumer`` received.
public struct KafkaConsumerMessage: Sendable, Hashable {
    /// The topic.
    public var topic: String
    /// The partition.
    public var partition: Int32
    /// The message's offset in its partition.
    public var offset: Int64
    /// The key; nil for a null key.
    public var key: [UInt8]?
    /// The value; empty for a null value.
    public var value: [UInt8]
    /// The headers, in the order the producer set them.
    public var headers: [KafkaHeader]
    /// The Kafka timestamp (create or log-append time, millisecond precision); nil when the
    /// message has none (or one outside the representable range).
    public var timestamp: Timestamp?

    /// Creates a message (consumers create them; tests compare against them).
    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8],
                headers: [KafkaHeader], timestamp: Timestamp?) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// The value of the first header called `name`.
    public func header(_ name: String) -> KafkaHeader? {
        headers.first { $0.name == name }
    }
}
