import Logging
import TapedeckPOSIX

/// The state a ``DurablePublisher`` shares between its callers, its sender thread and its
/// producer's delivery reports, all guarded by one lock.
///
/// Units are produced by whichever thread holds the *send turn* (``sendPending()``): normally
/// the caller of ``publish(_:)`` right after appending, so that the common path hands nothing
/// to another thread; the sender thread takes the turn for republishes. One turn at a time
/// keeps produce order equal to position order.
final class PublisherCore<Position: PublishPosition>: @unchecked Sendable {
    private let configuration: DurablePublisherConfiguration
    private let cursorFile: PublishCursorFile<Position>
    private let logger: Logger
    private let lock = ConditionLock()

    // Guarded by `lock`.
    private var window: PublishWindow<Position>
    private var producer: KafkaProducer?
    private var producerFailed = false
    private var stopped = false
    private var persistedCursor: Position?
    private var lastCursorWrite = ContinuousClock.now
    private var cursorWriteRequested = false
    /// Callers waiting in ``flush(timeout:)``: the cursor is written as soon as everything is acknowledged.
    private var flushers = 0
    private var waiters = 0
    private var sending = false

    init(configuration: DurablePublisherConfiguration, cursorFile: PublishCursorFile<Position>, cursor: Position?,
         logger: Logger) {
        self.configuration = configuration
        self.cursorFile = cursorFile
        self.logger = logger
        self.window = PublishWindow(cursor: cursor)
        self.persistedCursor = cursor
    }

    var cursor: Position? { lock.withLock { window.cursor } }

    var statistics: DurablePublisherStatistics { lock.withLock { window.statistics(at: .now) } }

    // MARK: Callers

    func publish(_ unit: PublishableUnit<Position>) throws(DurablePublisherError) {
        let size = unit.size
        let limit = configuration.producer.messageMaxBytes
        guard size <= limit else { throw .unitTooLarge(bytes: size, limit: limit) }
        try lock.withLock { () throws(DurablePublisherError) in
            while !stopped, window.retainedCount > 0,
                  window.retainedCount >= configuration.maxRetainedUnits
                    || window.retainedBytes + size > configuration.maxRetainedBytes {
                waitForChange()
            }
            guard !stopped else { throw .closed }
            try window.append(unit, size: size, now: .now)
            sendPending()
        }
    }

    func flush(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        return lock.withLock {
            cursorWriteRequested = true
            flushers += 1
            defer { flushers -= 1 }
            lock.broadcast()
            while !stopped, window.retainedCount > 0 || persistedCursor != window.cursor {
                let remaining = deadline - .now
                if remaining <= .zero { return false }
                waitForChange(atMost: remaining)
            }
            return window.retainedCount == 0 && persistedCursor == window.cursor
        }
    }

    /// Stops the sender, wakes every waiter and closes the producer. The producer is let go here,
    /// so that librdkafka (which reads the held units' values without copies) is destroyed before
    /// the window that holds them.
    func stop() {
        let producer = lock.withLock {
            stopped = true
            lock.broadcast()
            defer { self.producer = nil }
            return self.producer
        }
        producer?.close(timeout: .zero)
    }

    /// After the sender stopped: writes the cursor if it moved since the last write.
    func finish() throws(DurablePublisherError) {
        let (cursor, persisted) = lock.withLock { (window.cursor, persistedCursor) }
        guard let cursor, cursor != persisted else { return }
        try cursorFile.write(cursor)
        lock.withLock {
            persistedCursor = cursor
            window.countCursorWrite(succeeded: true)
        }
    }

    /// Waits on the lock's condition as a caller (callers' waits are counted so that delivery
    /// reports wake them and not the sender alone).
    private func waitForChange(atMost timeout: Duration = .seconds(1)) {
        waiters += 1
        lock.wait(timeoutSeconds: Double(timeout.milliseconds) / 1000 + 0.001)
        waiters -= 1
    }

    // MARK: Producer

    /// Creates a producer whose delivery reports come back here.
    func startProducer() throws(DurablePublisherError) {
        let created: KafkaProducer
        do {
            created = try KafkaProducer(configuration: configuration.producer, logger: logger) { [weak self] report in
                self?.delivered(report)
            }
        } catch {
            throw .kafka(error)
        }
        lock.withLock {
            producer = created
            producerFailed = false
        }
    }

    /// Makes the current producer raise a fatal error (tests).
    func raiseProducerFatalErrorForTesting() {
        lock.withLock { producer }?.raiseFatalErrorForTesting(reason: "raised by a test")
    }

    private func delivered(_ report: KafkaDeliveryReport) {
        lock.withLock {
            switch report.status {
            case .acknowledged:
                if window.acknowledge(tag: report.id), waiters > 0, hasRoomToWake { lock.broadcast() }
            case .failure(let error):
                failed(tag: report.id, error: error)
            }
        }
    }

    /// Whether an acknowledgement is worth waking the waiting callers for (lock held): once the
    /// window is empty (a flush is done) or half empty, so that a publisher waiting for room does
    /// not wake, find the window still full and sleep again for every acknowledged unit.
    private var hasRoomToWake: Bool {
        window.retainedCount == 0
            || (window.retainedBytes <= configuration.maxRetainedBytes / 2
                && window.retainedCount <= configuration.maxRetainedUnits / 2)
    }

    /// Records a failed send (lock held): counted always, logged when it starts a republish.
    private func failed(tag: UInt64, error: KafkaError) {
        if error.code == .fatal || producer?.fatalError != nil { producerFailed = true }
        guard window.fail(tag: tag, error: error, backoff: configuration.retryBackoff, now: .now) else { return }
        logger.error("Kafka delivery failed; everything after the cursor will be published again", metadata: [
            "error": "\(error)", "topic": "\(configuration.topic)",
            "cursor": "\(window.cursor?.cursorText ?? "none")", "units": "\(window.retainedCount)",
        ])
        lock.broadcast()
    }

    // MARK: Sender thread

    /// The sender thread: runs republishes (replacing a failed producer first) and writes the cursor.
    func runSender() {
        lock.lock()
        defer { lock.unlock() }
        while !stopped {
            let now = ContinuousClock.now
            if window.rewindRequested, now >= window.rewindNotBefore, !sending {
                if producerFailed, !replaceProducer() { continue }
                window.rewind()
                sendPending()
                continue
            }
            if window.cursor != persistedCursor, cursorWriteRequested || (flushers > 0 && window.retainedCount == 0)
                || now - lastCursorWrite >= configuration.cursorInterval {
                writeCursor()
                continue
            }
            lock.wait(timeoutSeconds: Double(senderWait(now: now).milliseconds) / 1000 + 0.001)
        }
    }

    /// Produces every unit not sent yet, in order, unless another thread has the send turn (lock
    /// held on entry and exit; released around each produce call, which may wait for queue space).
    private func sendPending() {
        guard !sending else { return }
        sending = true
        while !stopped, let producer, let (tag, unit) = window.nextToSend() {
            lock.unlock()
            var failure: KafkaError?
            do {
                // No copy of the value: the window holds the unit until its delivery report, and a
                // replaced or stopped producer is destroyed before the window lets units go.
                try producer.produce(topic: configuration.topic, key: unit.key, value: unit.value, copyValue: false,
                                     headers: unit.headers, id: tag)
            } catch {
                failure = error
            }
            lock.lock()
            if let failure, !stopped { failed(tag: tag, error: failure) }
        }
        sending = false
        if window.rewindRequested { lock.broadcast() }
    }

    /// How long the sender may sleep: until a cursor write or a republish may be due, else a
    /// while. (Acknowledgements do not wake the sender; it looks at the cursor at least every
    /// 10 ms while units are held.)
    private func senderWait(now: ContinuousClock.Instant) -> Duration {
        var wait = Duration.seconds(1)
        if window.retainedCount > 0 || window.cursor != persistedCursor {
            wait = max(.milliseconds(10), min(wait, lastCursorWrite + configuration.cursorInterval - now))
        }
        if window.rewindRequested { wait = min(wait, max(.zero, window.rewindNotBefore - now)) }
        return wait
    }

    /// Writes the cursor with the lock released (lock held on entry and exit).
    private func writeCursor() {
        guard let cursor = window.cursor else { return }
        lock.unlock()
        var failure: DurablePublisherError?
        do { try cursorFile.write(cursor) } catch { failure = error }
        lock.lock()
        lastCursorWrite = .now
        window.countCursorWrite(succeeded: failure == nil)
        if let failure {
            logger.error("could not write the Kafka publish cursor; retrying", metadata: ["error": "\(failure)"])
            cursorWriteRequested = false  // the next attempt waits for the interval
            return
        }
        persistedCursor = cursor
        if window.cursor == cursor { cursorWriteRequested = false }
        lock.broadcast()
    }

    /// Replaces a producer that raised a fatal error (lock held on entry and exit); returns false
    /// (after scheduling a retry) when the new one could not be created.
    private func replaceProducer() -> Bool {
        let old = producer
        producer = nil
        lock.unlock()
        logger.error("Kafka producer raised a fatal error; replacing it", metadata: ["topic": "\(configuration.topic)"])
        old?.close(timeout: .zero)
        var failure: DurablePublisherError?
        do { try startProducer() } catch { failure = error }
        lock.lock()
        if let failure {
            logger.error("could not replace the Kafka producer", metadata: ["error": "\(failure)"])
            window.postponeRewind(until: .now + configuration.retryBackoff)
            return false
        }
        window.countProducerRestart()
        return true
    }
}
