import TapedeckCore
import TapedeckReplay
import Testing

/// When a ``Replayer`` sends, against a fake clock and a fake injector: deterministic.
@Suite struct ReplayerTimingTests {
    let clock = FakeClock()
    let logs = LogRecorder()

    func replay(_ injector: FakeInjector, _ configuration: ReplayConfiguration, _ input: ReplayInput) throws -> ReplayResult {
        let replayer = try Replayer(injector: injector, configuration: configuration, clock: clock, logger: logs.logger)
        return replayer.run(input)
    }

    func configuration(_ rate: ReplayRate) -> ReplayConfiguration {
        var configuration = ReplayConfiguration()
        configuration.rate = rate
        return configuration
    }

    /// Send times relative to the first packet's.
    func offsets(_ injector: FakeInjector) -> [Int64] {
        injector.sent.map { $0.time - injector.sent[0].time }
    }

    @Test func eachPacketLeavesAtItsTimeOnAnAbsoluteSchedule() throws {
        let injector = FakeInjector(clock: clock)
        let packets = (0..<10).map { TestPacket(tag: UInt8($0)) }
        let result = try replay(injector, configuration(.packetsPerSecond(1000)), input([{ ArraySource(packets) }]))
        #expect(result.ending == .endOfInput)
        #expect(offsets(injector) == (0..<10).map { Int64($0) * 1_000_000 })
        // Each packet waited for its own time, so each went out alone.
        #expect(injector.batches == Array(repeating: 1, count: 10))
        #expect(result.statistics.packetsSent == 10)
        #expect(result.statistics.elapsedNanoseconds == 9_000_000)
        #expect(result.statistics.packetsPerSecond > 1110 && result.statistics.packetsPerSecond < 1112)
    }

    @Test func sendingTimeDoesNotAccumulateIntoDrift() throws {
        // Every flush takes 0.3 ms of a 1 ms interval: a schedule measured from the previous
        // send would slip 0.3 ms per packet; the absolute one keeps every packet on its mark.
        let injector = FakeInjector(clock: clock)
        injector.flushCost = { _, _ in 300_000 }
        let packets = (0..<100).map { TestPacket(tag: UInt8($0)) }
        _ = try replay(injector, configuration(.packetsPerSecond(1000)), input([{ ArraySource(packets) }]))
        #expect(offsets(injector) == (0..<100).map { Int64($0) * 1_000_000 })
    }

    @Test func aLatePacketDoesNotDelayTheRestAndTheBacklogGoesOutInOneBatch() throws {
        // The fourth flush (packet 3) takes 5.5 ms: packets 4…8 are then late and leave together,
        // packet 9 is back on its mark.
        let injector = FakeInjector(clock: clock)
        injector.flushCost = { flush, _ in flush == 3 ? 5_500_000 : 0 }
        let packets = (0..<12).map { TestPacket(tag: UInt8($0)) }
        _ = try replay(injector, configuration(.packetsPerSecond(1000)), input([{ ArraySource(packets) }]))
        #expect(injector.batches == [1, 1, 1, 1, 5, 1, 1, 1])
        let late: Int64 = 8_500_000
        #expect(offsets(injector) == [0, 1_000_000, 2_000_000, late, late, late, late, late, late, 9_000_000, 10_000_000, 11_000_000])
        #expect(injector.sent.map(\.bytes) == packets.map(\.bytes))
    }

    @Test func megabitsPerSecondSpacesPacketsByTheBytesBeforeThem() throws {
        let injector = FakeInjector(clock: clock)
        let lengths = [100, 1514, 60, 800, 1514, 64]
        let packets = lengths.enumerated().map { TestPacket(length: $1, tag: UInt8($0)) }
        let result = try replay(injector, configuration(.megabitsPerSecond(100)), input([{ ArraySource(packets) }]))
        // 100 Mbit/s: 80 ns per byte.
        var expected: [Int64] = []
        var bytes = 0
        for length in lengths { expected.append(Int64(bytes) * 80); bytes += length }
        #expect(offsets(injector) == expected)
        #expect(result.statistics.bytesSent == bytes)
    }

    @Test func multiplierReplaysTheCapturedGapsScaled() throws {
        let injector = FakeInjector(clock: clock)
        let base: Int64 = 1_700_000_000_000_000_000
        let gaps: [Int64] = [0, 1_000_000, 250_000, 4_000_000, 0, 10_000]
        var time = base
        let packets = gaps.enumerated().map { index, gap in
            time += gap
            return TestPacket(time: time, tag: UInt8(index))
        }
        _ = try replay(injector, configuration(.multiplier(2)), input([{ ArraySource(packets) }]))
        var expected: [Int64] = []
        var total: Int64 = 0
        for gap in gaps { total += gap; expected.append(total / 2) }
        #expect(offsets(injector) == expected)
    }

    @Test func topspeedSendsInBatchesOfTheInjectorsLimitWithoutWaiting() throws {
        let injector = FakeInjector(clock: clock, batchLimit: 16)
        let packets = (0..<100).map { TestPacket(tag: UInt8($0)) }
        let result = try replay(injector, configuration(.topspeed), input([{ ArraySource(packets) }]))
        #expect(injector.batches == [16, 16, 16, 16, 16, 16, 4])
        #expect(clock.waits.isEmpty)
        #expect(result.statistics.packetsSent == 100)
    }

    @Test func loopsReplayTheSourcesInOrderAgainAndTheRateRunsOn() throws {
        let injector = FakeInjector(clock: clock)
        let first = (0..<3).map { TestPacket(tag: UInt8($0)) }
        let second = (10..<12).map { TestPacket(tag: UInt8($0)) }
        var configuration = configuration(.packetsPerSecond(100))
        configuration.loops = 3
        let result = try replay(injector, configuration, input([{ ArraySource(first) }, { ArraySource(second) }]))
        #expect(injector.sent.map(\.bytes) == Array(repeating: (first + second).map(\.bytes), count: 3).flatMap { $0 })
        #expect(offsets(injector) == (0..<15).map { Int64($0) * 10_000_000 })
        #expect(result.statistics.loopsCompleted == 3)
        #expect(result.ending == .endOfInput)
    }

    @Test func durationStopsBeforeTheFirstPacketDueAtOrAfterIt() throws {
        let injector = FakeInjector(clock: clock)
        var configuration = configuration(.packetsPerSecond(1000))
        configuration.durationNanoseconds = 10_000_000
        let packets = (0..<100).map { TestPacket(tag: UInt8($0)) }
        let result = try replay(injector, configuration, input([{ ArraySource(packets) }]))
        #expect(result.ending == .duration)
        #expect(injector.sent.count == 10)
        #expect(offsets(injector).last == 9_000_000)
    }

    @Test func aPacketHeldBackByTheRateOrADurationIsNeverAcknowledged() throws {
        let injector = FakeInjector(clock: clock)
        var configuration = configuration(.packetsPerSecond(1000))
        configuration.durationNanoseconds = 5_000_000
        let source = ArraySource((0..<10).map { TestPacket(tag: UInt8($0)) })
        let result = try replay(injector, configuration, input([{ source }]))
        #expect(result.ending == .duration)
        #expect(injector.sent.count == 5)
        // Before each wait the batch before the waiting packet is acknowledged, without it; the
        // sixth packet was read, then the duration ended the replay before it went out.
        #expect(source.returnedAtAcknowledgements == [2, 3, 4, 5, 6])
        #expect(source.acknowledgements == [1, 2, 3, 4, 5])
    }

    @Test func durationStopsATopspeedReplayAtTheBatchThatCrossesIt() throws {
        let injector = FakeInjector(clock: clock, batchLimit: 10)
        injector.flushCost = { _, frames in Int64(frames) * 100_000 }
        var configuration = configuration(.topspeed)
        configuration.durationNanoseconds = 5_000_000
        let result = try replay(injector, configuration, input([{ ArraySource((0..<100).map { TestPacket(tag: UInt8($0)) }) }]))
        #expect(result.ending == .duration)
        // 10 frames cost 1 ms: the fifth batch ends at 5 ms.
        #expect(injector.sent.count == 50)
    }

    @Test func durationEndsAnEndlessLoopOfASmallSource() throws {
        let injector = FakeInjector(clock: clock, batchLimit: 10)
        injector.flushCost = { _, frames in Int64(frames) * 100_000 }
        var configuration = configuration(.topspeed)
        configuration.durationNanoseconds = 5_000_000
        configuration.loops = 0
        let result = try replay(injector, configuration, input([{ ArraySource((0..<7).map { TestPacket(tag: UInt8($0)) }) }]))
        #expect(result.ending == .duration)
        // Each pass ends with a flush of its 7 frames (0.7 ms); the eighth ends at 5.6 ms.
        #expect(injector.sent.count == 56)
        #expect(result.statistics.loopsCompleted == 8)
    }

    @Test func aStopDuringALongWaitIsSeenWithinOneSliceAndEndsTheReplay() throws {
        let injector = FakeInjector(clock: clock)
        let replayer = try Replayer(injector: injector, configuration: configuration(.multiplier(1)), clock: clock, logger: logs.logger)
        let start = clock.time
        clock.onWait = { [clock] _ in
            if clock.time - start >= 250_000_000 { replayer.stopHandle.stop() }
        }
        let second: Int64 = 1_000_000_000
        let source = ArraySource([TestPacket(time: 5 * second, tag: 1), TestPacket(time: 6 * second, tag: 2)])
        let result = replayer.run(input([{ source }]))
        #expect(result.ending == .stopped)
        #expect(injector.sent.map(\.bytes) == [TestPacket(tag: 1).bytes])
        #expect(source.acknowledgements.last == 1, "the packet the stop held back was acknowledged")
        #expect(source.closed)
        // The 1 s wait is cut into slices of 0.1 s; the stop comes during the fourth.
        let slice: Int64 = 100_000_000
        #expect(clock.waits == [start + slice, start + 2 * slice, start + 3 * slice, start + 4 * slice])
    }

    @Test func progressIsReportedDuringALongReplay() throws {
        let injector = FakeInjector(clock: clock)
        let replayer = try Replayer(injector: injector, configuration: configuration(.packetsPerSecond(100)), clock: clock, logger: logs.logger)
        var reports: [ReplayStatistics] = []
        _ = replayer.run(input([{ ArraySource((0..<200).map { TestPacket(tag: UInt8($0 % 256)) }) }])) { reports.append($0) }
        // 2 s of replay, a report every 0.25 s at most.
        #expect(reports.count >= 7 && reports.count <= 9)
        #expect(reports.map(\.packetsSent) == reports.map(\.packetsSent).sorted())
    }
}
