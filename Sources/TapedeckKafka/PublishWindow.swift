/// The units a ``DurablePublisher`` holds between ``DurablePublisher/publish(_:)`` and the cursor:
/// which were sent, which were acknowledged, where the cursor is, and when to send everything
/// again. A value type without locking or I/O; the publisher guards it with its lock.
///
/// Units get consecutive *ordinals* as they are appended. Every send carries a *tag*: the ordinal
/// in the low 48 bits and the *round* in the high 16. A failure starts a new round that sends
/// every retained unit again, from the cursor on; failures of sends from earlier rounds are
/// already covered by it and do not start another.
struct PublishWindow<Position: PublishPosition> {
    private struct Entry {
        var unit: PublishableUnit<Position>
        var size: Int
        var published: ContinuousClock.Instant
        var acknowledged = false
    }

    /// Entries from `head` on are retained; `entries[head]` has ordinal `firstOrdinal` and is never
    /// acknowledged. Entries before `head` are behind the cursor and wait for ``append`` to drop
    /// them, so that their bytes are freed on the publishing thread, not the delivery-report one.
    private var entries: [Entry] = []
    private var head = 0
    private var firstOrdinal: UInt64 = 0
    private var sendOrdinal: UInt64 = 0
    private var round: UInt64 = 0

    /// The highest position up to which every unit is acknowledged; nil before the first.
    private(set) var cursor: Position?
    /// The last position appended (or the cursor, before any).
    private(set) var lastPosition: Position?
    /// Bytes of all retained units (acknowledged or not).
    private(set) var retainedBytes = 0
    /// Whether a failure asked for everything to be sent again, not before ``rewindNotBefore``.
    private(set) var rewindRequested = false
    /// The earliest time the requested rewind may run (the retry backoff).
    private(set) var rewindNotBefore = ContinuousClock.now
    /// Counters.
    private(set) var statistics = DurablePublisherStatistics()
    private var oldestPublished: ContinuousClock.Instant? {
        head < entries.count ? entries[head].published : nil
    }

    /// A window that starts after `cursor` (the persisted one).
    init(cursor: Position?) {
        self.cursor = cursor
        self.lastPosition = cursor
    }

    /// Units retained: not acknowledged, or acknowledged after one that is not.
    var retainedCount: Int { entries.count - head }

    /// Appends a unit; its position must be after the last one's.
    mutating func append(_ unit: PublishableUnit<Position>, size: Int, now: ContinuousClock.Instant) throws(DurablePublisherError) {
        if let lastPosition, unit.position <= lastPosition {
            throw .positionNotIncreasing(previous: lastPosition.cursorText, position: unit.position.cursorText)
        }
        if head >= 1024, head * 2 >= entries.count {
            entries.removeFirst(head)
            head = 0
        }
        entries.append(Entry(unit: unit, size: size, published: now))
        lastPosition = unit.position
        retainedBytes += size
        statistics.published += 1
        statistics.pendingUnits += 1
        statistics.pendingBytes += size
    }

    /// The next unit to send and its tag, or nil when everything was sent or a rewind is pending.
    mutating func nextToSend() -> (tag: UInt64, unit: PublishableUnit<Position>)? {
        guard !rewindRequested else { return nil }
        sendOrdinal = max(sendOrdinal, firstOrdinal)
        let index = head + Int(sendOrdinal - firstOrdinal)
        guard index < entries.count else { return nil }
        let entry = entries[index]
        let tag = (round & 0xFFFF) << 48 | sendOrdinal
        sendOrdinal += 1
        return (tag, entry.unit)
    }

    /// Records Kafka's acknowledgement of a send; returns whether the cursor moved.
    mutating func acknowledge(tag: UInt64) -> Bool {
        let ordinal = tag & 0xFFFF_FFFF_FFFF
        guard ordinal >= firstOrdinal else { return false }
        let index = head + Int(ordinal - firstOrdinal)
        guard index < entries.count, !entries[index].acknowledged else { return false }
        entries[index].acknowledged = true
        statistics.acknowledged += 1
        statistics.pendingUnits -= 1
        statistics.pendingBytes -= entries[index].size
        var moved = false
        while head < entries.count, entries[head].acknowledged {
            cursor = entries[head].unit.position
            retainedBytes -= entries[head].size
            head += 1
            firstOrdinal += 1
            moved = true
        }
        return moved
    }

    /// Records a failed send; returns whether it asked for a new round (the caller logs that).
    /// Failures of units already acknowledged, and of sends that an asked-for or later round
    /// covers, are only counted.
    mutating func fail(tag: UInt64, error: KafkaError, backoff: Duration, now: ContinuousClock.Instant) -> Bool {
        statistics.deliveryFailures += 1
        statistics.lastFailure = error
        let ordinal = tag & 0xFFFF_FFFF_FFFF
        guard ordinal >= firstOrdinal, tag >> 48 == round & 0xFFFF, !rewindRequested else { return false }
        let index = head + Int(ordinal - firstOrdinal)
        guard index < entries.count, !entries[index].acknowledged else { return false }
        rewindRequested = true
        rewindNotBefore = now + backoff
        return true
    }

    /// Delays the requested rewind (its precondition, a new producer, is not there yet).
    mutating func postponeRewind(until instant: ContinuousClock.Instant) {
        rewindNotBefore = instant
    }

    /// Starts a new round: every retained unit is sent again, in order, from the cursor on.
    mutating func rewind() {
        rewindRequested = false
        round += 1
        sendOrdinal = firstOrdinal
        statistics.republishes += 1
        statistics.republishedUnits += UInt64(retainedCount)
    }

    /// The statistics with the age of the oldest unacknowledged unit at `now`.
    func statistics(at now: ContinuousClock.Instant) -> DurablePublisherStatistics {
        var result = statistics
        result.oldestPendingAge = oldestPublished.map { now - $0 }
        return result
    }

    /// Counts a producer replaced after a fatal error.
    mutating func countProducerRestart() { statistics.producerRestarts += 1 }

    /// Counts a cursor write.
    mutating func countCursorWrite(succeeded: Bool) {
        if succeeded { statistics.cursorWrites += 1 } else { statistics.cursorWriteFailures += 1 }
    }
}
