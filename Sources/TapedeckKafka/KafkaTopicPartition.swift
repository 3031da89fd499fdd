/// A partition of a topic with an offset: what consumers are assigned, commit, and seek to.
public struct KafkaTopicPartition: Hashable, Sendable, CustomStringConvertible {
    /// The topic name.
    public var topic: String
    /// The partition number.
    public var partition: Int32
    /// An offset, or one of librdkafka's logical offsets (``beginning``, ``end``, ``stored``, ``invalid``).
    public var offset: Int64

    /// Creates a topic partition with an offset.
    public init(topic: String, partition: Int32, offset: Int64 = KafkaTopicPartition.invalid) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    public var description: String { "\(topic)[\(partition)]@\(offset)" }

    /// The oldest retained message (`RD_KAFKA_OFFSET_BEGINNING`).
    public static let beginning: Int64 = -2
    /// After the newest message (`RD_KAFKA_OFFSET_END`).
    public static let end: Int64 = -1
    /// The group's committed offset (`RD_KAFKA_OFFSET_STORED`).
    public static let stored: Int64 = -1000
    /// No offset: use the committed one, else `auto.offset.reset` (`RD_KAFKA_OFFSET_INVALID`).
    public static let invalid: Int64 = -1001
}
