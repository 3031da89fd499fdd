import TapedeckKafka
import TapedeckPOSIX
import TapedeckStorage

/// Why the flow publisher stopped.
public enum FlowPublisherError: Error, CustomStringConvertible, Sendable {
    /// The checkpoint file could not be read or written.
    case checkpointFile(path: String, error: Errno)
    /// The checkpoint file is damaged.
    case checkpointUnreadable(path: String, reason: String)
    /// The checkpoint file belongs to another topic.
    case checkpointForOtherTopic(path: String, line: String)
    /// The store could not be read.
    case store(StorageError)
    /// The Kafka side failed.
    case publisher(DurablePublisherError)
    /// The publishing thread could not be started.
    case thread(Errno)
    /// Stopping gave up waiting for Kafka: `chunks` messages were not acknowledged (the next
    /// run publishes them again).
    case notAcknowledgedAtStop(timeout: Duration, chunks: Int)

    public var description: String {
        switch self {
        case .checkpointFile(let path, let error): "flow publisher checkpoint \(path): \(error)"
        case .checkpointUnreadable(let path, let reason): "flow publisher checkpoint \(path) is unreadable: \(reason)"
        case .checkpointForOtherTopic(let path, let line):
            "flow publisher checkpoint \(path) is for another topic (\(line)); use that topic or another store"
        case .store(let error): "reading the store for publishing: \(error)"
        case .publisher(let error): "\(error)"
        case .thread(let error): "flow publisher thread: \(error)"
        case .notAcknowledgedAtStop(let timeout, let chunks):
            "Kafka did not acknowledge \(chunks) messages within \(timeout) of stopping; the next run publishes them again"
        }
    }
}
