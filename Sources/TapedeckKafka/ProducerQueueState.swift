import Synchronization
import TapedeckPOSIX

/// What a ``KafkaProducer``'s poll thread shares with the threads that produce: whether the
/// producer is closing, and a generation that every served delivery report bumps, so that a
/// producer that saw `_QUEUE_FULL` can wait for room without missing a wake-up.
final class ProducerQueueState: Sendable {
    private let lock = ConditionLock()
    private let served = Atomic<UInt64>(0)
    private let waiters = Atomic<Int>(0)
    private let closing = Atomic<Bool>(false)

    /// How many delivery reports have been served.
    var generation: UInt64 { served.load(ordering: .sequentiallyConsistent) }

    /// Whether ``close()`` was called.
    var isClosing: Bool { closing.load(ordering: .acquiring) }

    /// Records that a delivery report was served (room was made), waking waiters if there are any.
    func released() {
        served.add(1, ordering: .sequentiallyConsistent)
        if waiters.load(ordering: .sequentiallyConsistent) > 0 {
            lock.withLock { lock.broadcast() }
        }
    }

    /// Waits until ``generation`` differs from `observed` or the producer closes, at most `timeout`.
    func wait(whileGenerationIs observed: UInt64, atMost timeout: Duration) {
        waiters.add(1, ordering: .sequentiallyConsistent)
        lock.withLock {
            if served.load(ordering: .sequentiallyConsistent) == observed, !isClosing {
                lock.wait(timeoutSeconds: Double(timeout.milliseconds) / 1000)
            }
        }
        waiters.subtract(1, ordering: .sequentiallyConsistent)
    }

    /// Marks the producer closing and wakes every waiter; returns false if it was already closing.
    func close() -> Bool {
        guard !closing.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        lock.withLock { lock.broadcast() }
        return true
    }
}
