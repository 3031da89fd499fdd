import Testing
@testable import TapedeckKafka

/// The publisher's bookkeeping without Kafka: the cursor moves only over acknowledged units,
/// failures send everything after the cursor again, once per failure round.
@Suite struct PublishWindowTests {
    private func unit(_ position: UInt64, bytes: Int = 10) -> PublishableUnit<UInt64> {
        PublishableUnit(position: position, key: [], value: [UInt8](repeating: 0, count: bytes))
    }

    private func sendAll(_ window: inout PublishWindow<UInt64>) -> [(tag: UInt64, position: UInt64)] {
        var sent: [(UInt64, UInt64)] = []
        while let (tag, unit) = window.nextToSend() { sent.append((tag, unit.position)) }
        return sent
    }

    @Test func cursorMovesOnlyOverAContiguousAcknowledgedPrefix() throws {
        var window = PublishWindow<UInt64>(cursor: nil)
        for position: UInt64 in [10, 20, 30, 40] { try window.append(unit(position), size: 10, now: .now) }
        let sent = sendAll(&window)
        #expect(sent.map(\.position) == [10, 20, 30, 40])
        let result1 = window.acknowledge(tag: sent[1].tag)
        #expect(result1 == false)
        let result2 = window.acknowledge(tag: sent[3].tag)
        #expect(result2 == false)
        #expect(window.cursor == nil)
        #expect(window.statistics(at: .now).pendingUnits == 2)
        #expect(window.statistics(at: .now).pendingBytes == 20)
        let result3 = window.acknowledge(tag: sent[0].tag)
        #expect(result3)
        #expect(window.cursor == 20)
        #expect(window.retainedCount == 2)
        let result4 = window.acknowledge(tag: sent[2].tag)
        #expect(result4)
        #expect(window.cursor == 40)
        #expect(window.retainedCount == 0)
        let statistics = window.statistics(at: .now)
        #expect(statistics.acknowledged == 4)
        #expect(statistics.pendingUnits == 0)
        #expect(statistics.oldestPendingAge == nil)
        // A second acknowledgement of the same unit changes nothing.
        let result5 = window.acknowledge(tag: sent[2].tag)
        #expect(result5 == false)
        #expect(window.statistics(at: .now).acknowledged == 4)
    }

    @Test func positionsMustIncreasePastTheCursor() throws {
        var window = PublishWindow<UInt64>(cursor: 5)
        #expect(throws: DurablePublisherError.positionNotIncreasing(previous: "5", position: "5")) {
            try window.append(unit(5), size: 10, now: .now)
        }
        try window.append(unit(6), size: 10, now: .now)
        #expect(throws: DurablePublisherError.positionNotIncreasing(previous: "6", position: "6")) {
            try window.append(unit(6), size: 10, now: .now)
        }
    }

    @Test func aFailureSendsEverythingAfterTheCursorAgainOnce() throws {
        var window = PublishWindow<UInt64>(cursor: nil)
        for position: UInt64 in 1...5 { try window.append(unit(position), size: 10, now: .now) }
        let first = sendAll(&window)
        let result6 = window.acknowledge(tag: first[0].tag)
        #expect(result6)
        let result7 = window.acknowledge(tag: first[2].tag)
        #expect(result7 == false)
        let error = KafkaError(code: .invalidRecord, context: "test")
        // Unit 2 fails: a republish is asked for, after the backoff; nothing is sent meanwhile.
        let result8 = window.fail(tag: first[1].tag, error: error, backoff: .seconds(1), now: .now)
        #expect(result8)
        #expect(window.rewindRequested)
        let none = window.nextToSend()
        #expect(none == nil)
        // Units 4 and 5 of the same round fail too: covered by the same republish.
        let result9 = window.fail(tag: first[3].tag, error: error, backoff: .seconds(1), now: .now)
        #expect(result9 == false)
        window.rewind()
        let second = sendAll(&window)
        // Everything after the cursor (1), including 3 which was acknowledged, in order.
        #expect(second.map(\.position) == [2, 3, 4, 5])
        #expect(window.cursor == 1)
        // A late failure from the first round does not start another republish.
        let result10 = window.fail(tag: first[4].tag, error: error, backoff: .seconds(1), now: .now)
        #expect(result10 == false)
        for send in second { _ = window.acknowledge(tag: send.tag) }
        #expect(window.cursor == 5)
        let statistics = window.statistics(at: .now)
        #expect(statistics.deliveryFailures == 3)
        #expect(statistics.republishes == 1)
        #expect(statistics.republishedUnits == 4)
        #expect(statistics.acknowledged == 5)
        #expect(statistics.lastFailure == error)
        // A failure of the new round for a unit already acknowledged is only counted.
        let result11 = window.fail(tag: second[0].tag, error: error, backoff: .seconds(1), now: .now)
        #expect(result11 == false)
    }

    @Test func lagCountsUnacknowledgedUnitsAndTheOldestAge() throws {
        var window = PublishWindow<UInt64>(cursor: nil)
        let start = ContinuousClock.now
        try window.append(unit(1, bytes: 100), size: 100, now: start)
        try window.append(unit(2, bytes: 50), size: 50, now: start + .seconds(2))
        let sent = sendAll(&window)
        _ = window.acknowledge(tag: sent[1].tag)
        let statistics = window.statistics(at: start + .seconds(5))
        #expect(statistics.pendingUnits == 1)
        #expect(statistics.pendingBytes == 100)
        #expect(statistics.oldestPendingAge == .seconds(5))
        #expect(window.retainedBytes == 150)
    }

    @Test func manyUnitsCompactTheStorage() throws {
        var window = PublishWindow<UInt64>(cursor: nil)
        for position: UInt64 in 1...20_000 {
            try window.append(unit(position), size: 10, now: .now)
            let next = window.nextToSend()
            let (tag, _) = try #require(next)
            let moved = window.acknowledge(tag: tag)
            #expect(moved)
        }
        #expect(window.cursor == 20_000)
        #expect(window.retainedCount == 0)
    }
}
