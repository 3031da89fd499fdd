import Testing
import TapedeckKafka
@testable import TapedeckDaemon

@Suite("Offset tracker")
struct OffsetTrackerTests {
    @Test func commitsTheOldestOutstandingOffsetPerPartition() {
        var tracker = OffsetTracker()
        #expect(tracker.commitPositions.isEmpty)
        for offset in Int64(10)...13 { tracker.received(topic: "a", partition: 0, offset: offset) }
        tracker.received(topic: "a", partition: 1, offset: 5)
        #expect(tracker.commitPositions.map(\.offset) == [10, 5])
        tracker.committed(tracker.commitPositions)
        #expect(tracker.commitPositions.isEmpty)

        // A later message finishing first moves nothing; the oldest one finishing does.
        tracker.finished(topic: "a", partition: 0, offset: 12)
        #expect(tracker.commitPositions.isEmpty)
        tracker.finished(topic: "a", partition: 0, offset: 10)
        #expect(tracker.commitPositions == [KafkaTopicPartition(topic: "a", partition: 0, offset: 11)])
        tracker.finished(topic: "a", partition: 0, offset: 11)
        tracker.finished(topic: "a", partition: 0, offset: 13)
        tracker.finished(topic: "a", partition: 1, offset: 5)
        #expect(tracker.commitPositions == [KafkaTopicPartition(topic: "a", partition: 0, offset: 14),
                                            KafkaTopicPartition(topic: "a", partition: 1, offset: 6)])
    }
}
