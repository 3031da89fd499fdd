import Logging
import TapedeckPOSIX

/// Publishes an ordered stream of units to one Kafka topic, at least once, across broker outages,
/// failures and crashes, by keeping a durable cursor of what Kafka acknowledged.
///
/// The caller's data (the store) is the write-ahead log; the publisher only remembers how far
/// Kafka has acknowledged it:
///
/// - ``publish(_:)`` takes units in increasing ``PublishableUnit/position`` order, holds them
///   (waiting while ``DurablePublisherConfiguration/maxRetainedUnits`` or `maxRetainedBytes` are
///   reached) and hands them, in order, to an idempotent, `acks=all` producer — on the calling
///   thread, so it also waits while librdkafka's local queue is full. A sender thread writes the
///   cursor and runs republishes.
/// - The *cursor* is the highest position P such that every unit at or before P was acknowledged.
///   It is written to the cursor file (atomically) at most every
///   ``DurablePublisherConfiguration/cursorInterval`` after it moves, and by ``flush(timeout:)``
///   and ``close(timeout:)``.
/// - After a restart — including `kill -9` — open the publisher on the same cursor file, read
///   ``cursor``, and publish again every unit after it. Units between the persisted cursor and
///   what Kafka had actually acknowledged arrive twice; consumers dedupe (flows by flow id and
///   chunk index).
/// - During an outage librdkafka keeps retrying (no message timeout by default); units wait,
///   the lag grows, ``publish(_:)`` eventually waits. A unit whose delivery does fail is
///   counted and logged, the cursor stays before it, and after
///   ``DurablePublisherConfiguration/retryBackoff`` every unit after the cursor is sent again,
///   in order — what a restart would do. A fatal producer error replaces the producer first.
///
/// Dropping the publisher without ``close(timeout:)`` stops it like a crash: nothing is flushed
/// and the cursor is not written again.
public final class DurablePublisher<Position: PublishPosition>: Sendable {
    private let core: PublisherCore<Position>
    private let sender: OSThread

    /// Opens the publisher: reads the cursor file, creates the producer, starts the sender thread.
    @_specialize(exported: true, where Position == UInt64)
    public init(configuration: DurablePublisherConfiguration, logger: Logger) throws(DurablePublisherError) {
        let file = PublishCursorFile<Position>(path: configuration.cursorPath, topic: configuration.topic)
        let cursor = try file.read()
        let core = PublisherCore(configuration: configuration, cursorFile: file, cursor: cursor, logger: logger)
        try core.startProducer()
        do {
            sender = try OSThread(name: "kafka-publisher") { core.runSender() }
        } catch {
            core.stop()
            throw .thread(error)
        }
        self.core = core
        logger.info("Kafka publisher opened", metadata: [
            "topic": "\(configuration.topic)", "cursor": "\(cursor?.cursorText ?? "none")",
        ])
    }

    /// The highest position up to which Kafka acknowledged every unit; right after opening, the
    /// persisted one (nil when nothing was ever acknowledged). Publish every unit after it.
    public var cursor: Position? { core.cursor }

    /// Holds `unit` and produces it; waits while the publisher holds as many units or bytes as
    /// its configuration allows, or while librdkafka's queue is full.
    ///
    /// - Throws: ``DurablePublisherError/positionNotIncreasing(previous:position:)`` when the
    ///   position is not after the previous unit's (or the cursor),
    ///   ``DurablePublisherError/unitTooLarge(bytes:limit:)`` beyond `message.max.bytes`, and
    ///   ``DurablePublisherError/closed`` after ``close(timeout:)``.
    @_specialize(exported: true, where Position == UInt64)
    public func publish(_ unit: PublishableUnit<Position>) throws(DurablePublisherError) {
        try core.publish(unit)
    }

    /// Waits until every unit published so far is acknowledged and the cursor file says so, at
    /// most `timeout`; returns whether that happened.
    @discardableResult
    public func flush(timeout: Duration) -> Bool {
        core.flush(timeout: timeout)
    }

    /// Counters and lag.
    public var statistics: DurablePublisherStatistics { core.statistics }

    /// Flushes for at most `timeout`, writes the cursor, stops the sender and closes the producer.
    ///
    /// - Throws: ``DurablePublisherError/notAcknowledged(units:)`` when units were still not
    ///   acknowledged (they are published again after the next start), or
    ///   ``DurablePublisherError/cursorFile(_:)`` when the final cursor write failed.
    public func close(timeout: Duration) throws(DurablePublisherError) {
        let flushed = core.flush(timeout: timeout)
        core.stop()
        sender.join()
        try core.finish()
        if !flushed { throw .notAcknowledged(units: core.statistics.pendingUnits) }
    }

    /// Makes the current producer raise a fatal error, as a broker could, for tests.
    package func raiseProducerFatalErrorForTesting() {
        core.raiseProducerFatalErrorForTesting()
    }

    deinit {
        core.stop()
        sender.join()
    }
}
