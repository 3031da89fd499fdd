import TapedeckCore
import TapedeckReplay
import Testing

/// The timing math of ``SendSchedule``, on its own.
@Suite struct SendScheduleTests {
    /// Due times of `packets` (capture time, length) under `rate`, with a new pass at each index
    /// in `passes`.
    func dueTimes(_ rate: ReplayRate, _ packets: [(Int64, Int)], passes: Set<Int> = []) -> [Int64?] {
        var schedule = SendSchedule(rate: rate)
        return packets.enumerated().map { index, packet in
            if passes.contains(index) { schedule.startPass() }
            let due = schedule.due(capturedAt: Timestamp(nanoseconds: packet.0))
            schedule.didSend(length: packet.1)
            return due
        }
    }

    @Test func packetsPerSecondDueTimesAreMultiplesOfTheInterval() {
        let due = dueTimes(.packetsPerSecond(20_000), Array(repeating: (0, 100), count: 5))
        #expect(due == [0, 50_000, 100_000, 150_000, 200_000])
    }

    @Test func packetsPerSecondIsComputedFromTheStartSoNothingAccumulates() {
        // 3 pps: 333 333 333.3 ns per packet. Adding a rounded interval per packet would be off by
        // 0.33 ns × n; the absolute schedule is off by at most half a nanosecond at any n.
        var schedule = SendSchedule(rate: .packetsPerSecond(3))
        for _ in 0..<3_000_000 { _ = schedule.due(capturedAt: .distantPast); schedule.didSend(length: 1) }
        #expect(schedule.due(capturedAt: .distantPast) == 1_000_000_000_000_000)
    }

    @Test func megabitsPerSecondCountsTheCapturedBytesOfThePacketsBefore() {
        // 1 Mbit/s: a byte takes 8 µs. Packet n is due when the bytes before it have had their time.
        let due = dueTimes(.megabitsPerSecond(1), [(0, 100), (0, 200), (0, 300), (0, 400)])
        #expect(due == [0, 800_000, 2_400_000, 4_800_000])
    }

    @Test func megabitsPerSecondAt100MatchesTcpreplaysByteCount() {
        // 1514-byte frames at 100 Mbit/s: 121.12 µs each (tcpreplay: caplen × 8 / rate).
        let due = dueTimes(.megabitsPerSecond(100), Array(repeating: (0, 1514), count: 3))
        #expect(due == [0, 121_120, 242_240])
    }

    @Test func multiplierScalesTheCapturedGapsAndIgnoresTimeGoingBack() {
        let second: Int64 = 1_000_000_000
        let packets: [(Int64, Int)] = [(50 * second, 60), (51 * second, 60), (51 * second + second / 2, 60),
                                       (51 * second + second / 5, 60), (52 * second, 60)]
        #expect(dueTimes(.multiplier(2), packets) == [0, second / 2, 3 * second / 4, 3 * second / 4, second])
        #expect(dueTimes(.multiplier(0.5), packets) == [0, 2 * second, 3 * second, 3 * second, 4 * second])
    }

    @Test func aNewPassFollowsTheLastPacketOfThePreviousPassAtOnce() {
        let second: Int64 = 1_000_000_000
        // Source A at 10 s and 11 s, then source B at 100 s and 100.5 s, twice.
        let packets: [(Int64, Int)] = [(10 * second, 60), (11 * second, 60), (100 * second, 60), (100 * second + second / 2, 60)]
        let due = dueTimes(.multiplier(1), packets + packets, passes: [0, 2, 4, 6])
        #expect(due == [0, second, second, 3 * second / 2, 3 * second / 2, 5 * second / 2, 5 * second / 2, 3 * second])
    }

    @Test func packetAndByteRatesRunOnAcrossPasses() {
        let due = dueTimes(.packetsPerSecond(10), Array(repeating: (0, 60), count: 6), passes: [0, 3])
        #expect(due == [0, 100_000_000, 200_000_000, 300_000_000, 400_000_000, 500_000_000])
    }

    @Test func topspeedHasNoDueTime() {
        #expect(dueTimes(.topspeed, [(0, 60), (5, 60)]) == [nil, nil])
    }
}
