#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A mutex with one condition variable (`pthread_mutex_t` + `pthread_cond_t`), for the
/// bounded queues between pipeline threads.
public final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    /// Creates an unlocked lock.
    public init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Runs `body` with the mutex held.
    @inlinable
    public func withLock<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Acquires the mutex (`pthread_mutex_lock`).
    public func lock() { pthread_mutex_lock(mutex) }

    /// Releases the mutex (`pthread_mutex_unlock`).
    public func unlock() { pthread_mutex_unlock(mutex) }

    /// Waits on the condition; the mutex must be held (`pthread_cond_wait`).
    public func wait() { pthread_cond_wait(condition, mutex) }

    /// Waits on the condition for at most `seconds`; the mutex must be held
    /// (`pthread_cond_timedwait` against `CLOCK_REALTIME`). Returns false on timeout.
    @discardableResult
    public func wait(timeoutSeconds seconds: Double) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        let whole = seconds.rounded(.down)
        deadline.tv_sec += Int(whole)
        deadline.tv_nsec += Int((seconds - whole) * 1e9)
        if deadline.tv_nsec >= 1_000_000_000 {
            deadline.tv_sec += 1
            deadline.tv_nsec -= 1_000_000_000
        }
        return pthread_cond_timedwait(condition, mutex, &deadline) == 0
    }

    /// Wakes all waiters (`pthread_cond_broadcast`).
    public func broadcast() { pthread_cond_broadcast(condition) }
}

/// A first-in first-out queue with a capacity: `push` blocks while full, `pop` while empty.
public final class BlockingQueue<Element>: @unchecked Sendable {
    private let lock = ConditionLock()
    private var items: [Element?]
    private var head = 0
    private var count = 0

    /// Creates a queue holding at most `capacity` elements.
    public init(capacity: Int) {
        items = Array(repeating: nil, count: max(1, capacity))
    }

    /// Appends `element`, waiting while the queue is full.
    public func push(_ element: Element) {
        lock.lock()
        while count == items.count { lock.wait() }
        items[(head + count) % items.count] = element
        count += 1
        lock.broadcast()
        lock.unlock()
    }

    /// Removes the oldest element, waiting while the queue is empty.
    public func pop() -> Element {
        lock.lock()
        while count == 0 { lock.wait() }
        let element = items[head].take()!
        head = (head + 1) % items.count
        count -= 1
        lock.broadcast()
        lock.unlock()
        return element
    }

    /// Removes the oldest element if there is one, without waiting.
    public func tryPop() -> Element? {
        lock.withLock {
            guard count > 0 else { return nil }
            let element = items[head].take()
            head = (head + 1) % items.count
            count -= 1
            lock.broadcast()
            return element
        }
    }
}
