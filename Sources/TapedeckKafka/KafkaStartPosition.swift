import TapedeckCore

/// Where a ``KafkaConsumer`` starts reading each partition it is assigned.
public enum KafkaStartPosition: Hashable, Sendable {
    /// Where the consumer group committed; a partition the group never committed starts at the
    /// oldest retained message (`auto.offset.reset=earliest`).
    case committedElseBeginning
    /// Where the consumer group committed; a partition the group never committed starts after the
    /// newest message (`auto.offset.reset=latest`).
    case committedElseEnd
    /// The oldest retained message, whatever the group committed (like kcat `-o beginning`).
    case beginning
    /// After the newest message, whatever the group committed (like kcat `-o end`).
    case end
    /// The first message whose Kafka timestamp is at or after the time, whatever the group
    /// committed (`rd_kafka_offsets_for_times`, like kcat `-o s@MS`); after the newest message
    /// when there is none.
    case time(Timestamp)

    /// `auto.offset.reset`: where a partition without a usable offset starts.
    var offsetReset: String {
        switch self {
        case .committedElseEnd, .end: "latest"
        case .committedElseBeginning, .beginning, .time: "earliest"
        }
    }
}
