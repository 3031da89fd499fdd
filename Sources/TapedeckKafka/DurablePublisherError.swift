import TapedeckPOSIX

/// Why a ``DurablePublisher`` refused a call.
public enum DurablePublisherError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The Kafka producer could not be created (bad configuration, usually).
    case kafka(KafkaError)
    /// The cursor file could not be read or written.
    case cursorFile(Errno)
    /// The sender thread could not be started.
    case thread(Errno)
    /// The cursor file exists but is not one (damaged, or not a position of this type).
    case cursorUnreadable(path: String, reason: String)
    /// The cursor file belongs to another topic: resuming from it would skip data on this one.
    case cursorForOtherTopic(path: String, topic: String)
    /// A unit's position is not greater than the previous one's (or the cursor's).
    case positionNotIncreasing(previous: String, position: String)
    /// A unit is larger than the producer's `message.max.bytes`: Kafka would never take it.
    case unitTooLarge(bytes: Int, limit: Int)
    /// The publisher was closed.
    case closed
    /// ``DurablePublisher/close(timeout:)`` ran out of time with units not acknowledged; they
    /// stay after the persisted cursor and are published again on the next start.
    case notAcknowledged(units: Int)

    public var description: String {
        switch self {
        case .kafka(let error): "Kafka producer: \(error)"
        case .cursorFile(let error): "publish cursor: \(error)"
        case .thread(let error): "publisher thread: \(error)"
        case .cursorUnreadable(let path, let reason): "publish cursor \(path) is unreadable: \(reason)"
        case .cursorForOtherTopic(let path, let topic):
            "publish cursor \(path) is for topic \(topic); remove it to publish everything to the new topic"
        case .positionNotIncreasing(let previous, let position):
            "unit position \(position) is not after \(previous)"
        case .unitTooLarge(let bytes, let limit): "unit of \(bytes) bytes exceeds message.max.bytes (\(limit))"
        case .closed: "the publisher is closed"
        case .notAcknowledged(let units): "\(units) units were not acknowledged before the timeout"
        }
    }
}
