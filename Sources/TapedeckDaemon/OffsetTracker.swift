import TapedeckKafka

/// Which consumed messages are handled, per partition, and so which offsets may be committed.
///
/// Alerts finish out of order (one waits for its window while a later one is carved), but a
/// Kafka commit says "everything before this offset is handled". So each partition commits the
/// offset of its oldest message still outstanding, or one past the newest message when none is:
/// a restart then redelivers every message not yet handled, and nothing else.
struct OffsetTracker {
    private struct Partition: Hashable {
        var topic: String
        var partition: Int32
    }

    private struct State {
        var outstanding = Set<Int64>()
        var nextAfterNewest: Int64 = 0
        var committed: Int64?
    }

    private var partitions: [Partition: State] = [:]

    /// A message was received; it is outstanding until ``finished(topic:partition:offset:)``.
    mutating func received(topic: String, partition: Int32, offset: Int64) {
        let key = Partition(topic: topic, partition: partition)
        var state = partitions[key] ?? State()
        state.outstanding.insert(offset)
        state.nextAfterNewest = max(state.nextAfterNewest, offset + 1)
        partitions[key] = state
    }

    /// A message is handled (its evidence durable, or it was skipped).
    mutating func finished(topic: String, partition: Int32, offset: Int64) {
        partitions[Partition(topic: topic, partition: partition)]?.outstanding.remove(offset)
    }

    /// `message` is handled.
    mutating func finished(_ message: KafkaConsumerMessage) {
        finished(topic: message.topic, partition: message.partition, offset: message.offset)
    }

    /// The offsets to commit: per partition whose commit position moved since the last
    /// ``committed(_:)``, the oldest outstanding offset, else one past the newest message.
    var commitPositions: [KafkaTopicPartition] {
        partitions.compactMap { key, state in
            let position = state.outstanding.min() ?? state.nextAfterNewest
            guard position != state.committed else { return nil }
            return KafkaTopicPartition(topic: key.topic, partition: key.partition, offset: position)
        }.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }

    /// Records that `positions` were committed.
    mutating func committed(_ positions: [KafkaTopicPartition]) {
        for position in positions {
            partitions[Partition(topic: position.topic, partition: position.partition)]?.committed = position.offset
        }
    }
}
