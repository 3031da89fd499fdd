import TapedeckCore
import TapedeckReplay
import Testing

/// What a ``Replayer`` sends: bytes, order, what it leaves out and says so, limits, failures and
/// acknowledgements.
@Suite struct ReplayerSemanticsTests {
    let clock = FakeClock()
    let logs = LogRecorder()

    func replay(_ injector: FakeInjector, _ configuration: ReplayConfiguration = topspeed(),
                _ sources: [() -> ArraySource]) throws -> ReplayResult {
        let replayer = try Replayer(injector: injector, configuration: configuration, clock: clock, logger: logs.logger)
        return replayer.run(input(sources))
    }

    static func topspeed(_ change: (inout ReplayConfiguration) -> Void = { _ in }) -> ReplayConfiguration {
        var configuration = ReplayConfiguration()
        configuration.rate = .topspeed
        change(&configuration)
        return configuration
    }

    /// A link with a small MTU: frames up to 114 bytes (118 with an 802.1Q tag) fit.
    static let smallLink = InjectionLink(interface: "small0", linkType: .ethernet, mtu: 100, headerLength: 14, allowsVLANTag: true)

    /// A frame of `length` bytes that carries an 802.1Q tag.
    static func tagged(_ length: Int, tag: UInt8) -> TestPacket {
        var packet = TestPacket(length: length, tag: tag)
        packet.bytes[12] = 0x81
        packet.bytes[13] = 0x00
        return packet
    }

    @Test func everyPacketGoesOutByteForByteInOrder() throws {
        let injector = FakeInjector(clock: clock, batchLimit: 7)
        let packets = (0..<50).map { TestPacket(length: 14 + $0 * 29, tag: UInt8($0)) }
        let result = try replay(injector, Self.topspeed(), [{ ArraySource(packets) }])
        #expect(injector.sent.map(\.bytes) == packets.map(\.bytes))
        #expect(result.statistics.packetsRead == 50)
        #expect(result.statistics.packetsSkipped == 0)
        #expect(result.statistics.bytesSent == packets.reduce(0) { $0 + $1.bytes.count })
    }

    @Test func oversizeFramesAreSkippedCountedAndNamed() throws {
        let injector = FakeInjector(clock: clock, link: Self.smallLink)
        let packets = [TestPacket(length: 114, tag: 0), TestPacket(length: 115, tag: 1), Self.tagged(118, tag: 2),
                       Self.tagged(119, tag: 3), TestPacket(length: 60, tag: 4), TestPacket(length: 9000, tag: 5)]
        let result = try replay(injector, Self.topspeed(), [{ ArraySource(packets, name: "in.pcap") }])
        #expect(injector.sent.map(\.bytes) == [packets[0], packets[2], packets[4]].map(\.bytes))
        #expect(result.statistics.skippedOversize == 3)
        #expect(result.statistics.packetsSkipped == 3)
        #expect(result.statistics.packetsRead == 6)
        let warnings = logs.all
        #expect(warnings.count == 3)
        #expect(warnings.first == "warning: in.pcap: packet 2: 115-byte frame is longer than small0 sends (MTU 100 + 14-byte header = 114): skipped")
        #expect(warnings.contains { $0.contains("packet 4: 119-byte frame") && $0.contains("= 118") })
    }

    @Test func oversizeFramesAreCutWhenAskedAndStillCounted() throws {
        let injector = FakeInjector(clock: clock, link: Self.smallLink)
        let packets = [TestPacket(length: 200, tag: 0), Self.tagged(300, tag: 1), TestPacket(length: 100, tag: 2)]
        let configuration = Self.topspeed { $0.oversize = .truncate }
        let result = try replay(injector, configuration, [{ ArraySource(packets) }])
        #expect(injector.sent.map(\.bytes) == [Array(packets[0].bytes[..<114]), Array(packets[1].bytes[..<118]), packets[2].bytes])
        #expect(result.statistics.truncated == 2)
        #expect(result.statistics.packetsSent == 3)
        #expect(result.statistics.packetsSkipped == 0)
        #expect(logs.all.allSatisfy { $0.contains("truncated to") })
    }

    @Test func aTagGetsNoAllowanceWhereTheKernelGivesNone() throws {
        // The loopback device: Ethernet frames, but no VLAN allowance.
        let loopback = InjectionLink(interface: "lo", linkType: .ethernet, mtu: 100, headerLength: 14, allowsVLANTag: false)
        let injector = FakeInjector(clock: clock, link: loopback)
        let result = try replay(injector, Self.topspeed(), [{ ArraySource([Self.tagged(118, tag: 1)]) }])
        #expect(result.statistics.skippedOversize == 1)
    }

    @Test func packetsOfAnotherLinkTypeAndRuntsAreSkippedAndCounted() throws {
        let injector = FakeInjector(clock: clock)
        let packets = [TestPacket(tag: 0), TestPacket(length: 60, tag: 1, linkType: .linuxSLL), TestPacket(length: 13, tag: 2),
                       TestPacket(tag: 3)]
        let result = try replay(injector, Self.topspeed(), [{ ArraySource(packets) }])
        #expect(injector.sent.map(\.bytes) == [packets[0], packets[3]].map(\.bytes))
        #expect(result.statistics.skippedLinkType == 1)
        #expect(result.statistics.skippedShort == 1)
        #expect(logs.all.count == 2)
    }

    @Test func rawIPInterfacesTakeEveryRawIPLinkType() {
        let tun = InjectionLink(interface: "tun0", linkType: .raw, mtu: 1500, headerLength: 0, allowsVLANTag: false)
        #expect(tun.accepts(.raw) && tun.accepts(.ipv4) && tun.accepts(.ipv6))
        #expect(!tun.accepts(.ethernet))
        let ethernet = InjectionLink(interface: "eth0", linkType: .ethernet, mtu: 1500, headerLength: 14, allowsVLANTag: true)
        #expect(ethernet.accepts(.ethernet) && !ethernet.accepts(.raw))
        #expect(ethernet.largestFrame == 1518)
    }

    @Test func onlyTheFirstFewSkipsOfAKindAreLogged() throws {
        let injector = FakeInjector(clock: clock, link: Self.smallLink)
        let result = try replay(injector, Self.topspeed(), [{ ArraySource((0..<20).map { TestPacket(length: 500, tag: UInt8($0)) }) }])
        #expect(result.statistics.skippedOversize == 20)
        #expect(logs.all.count == 5)
        #expect(logs.all.last?.hasSuffix("(further packets like it are only counted)") == true)
    }

    @Test func theLimitCountsPacketsSentAcrossLoopsNotPacketsLeftOut() throws {
        let injector = FakeInjector(clock: clock, link: Self.smallLink)
        let packets = [TestPacket(tag: 0), TestPacket(length: 500, tag: 1), TestPacket(tag: 2)]
        let configuration = Self.topspeed { $0.loops = 5; $0.packetLimit = 5 }
        let result = try replay(injector, configuration, [{ ArraySource(packets) }])
        #expect(result.ending == .packetLimit)
        #expect(injector.sent.map { $0.bytes[0] } == [0, 2, 0, 2, 0])
        #expect(result.statistics.skippedOversize == 2)
        #expect(result.statistics.loopsCompleted == 2)
    }

    @Test func theSourceHearsAfterEveryBatchAndAtItsEndAndIsClosed() throws {
        let injector = FakeInjector(clock: clock, batchLimit: 4)
        let source = ArraySource((0..<10).map { TestPacket(tag: UInt8($0)) })
        _ = try replay(injector, Self.topspeed(), [{ source }])
        // Acknowledged after each batch of 4 (the 5th packet was read after the batch was sent)
        // and at the end.
        #expect(source.acknowledgements == [4, 8, 10])
        #expect(source.closed)
    }

    @Test func whatIsQueuedGoesOutBeforeTheSourceWaitsForInput() throws {
        let injector = FakeInjector(clock: clock, batchLimit: 100)
        let source = ArraySource((0..<10).map { TestPacket(tag: UInt8($0)) })
        source.waitsBefore = [4, 7]
        _ = try replay(injector, Self.topspeed(), [{ source }])
        #expect(injector.batches == [4, 3, 3])
        #expect(source.acknowledgements == [4, 7, 10])
    }

    @Test func aFailingSourceEndsTheReplayAfterWhatItReturnedWasSent() throws {
        let injector = FakeInjector(clock: clock, batchLimit: 100)
        let first = ArraySource((0..<10).map { TestPacket(tag: UInt8($0)) })
        first.failAfter = 6
        let second = ArraySource([TestPacket(tag: 99)])
        let result = try replay(injector, Self.topspeed(), [{ first }, { second }])
        #expect(result.ending == .failed(.source(name: "test source", reason: "broken after 6")))
        #expect(injector.sent.count == 6)
        #expect(result.statistics.packetsSent == 6)
        #expect(first.closed)
        #expect(!second.closed, "the replay went on to the next source")
    }

    @Test func aFailingInjectorEndsTheReplayWithItsCounts() throws {
        let injector = FakeInjector(clock: clock, batchLimit: 4)
        injector.failingFlush = 1
        let result = try replay(injector, Self.topspeed(), [{ ArraySource((0..<10).map { TestPacket(tag: UInt8($0)) }) }])
        #expect(result.ending == .failed(.cannotInject(interface: "fake0", reason: "told to fail")))
        #expect(result.statistics.packetsSent == 4)
        #expect(result.statistics.packetsFailed == 4)
    }

    @Test func anEmptyInputLoopedWithoutEndEndsAfterOnePass() throws {
        let injector = FakeInjector(clock: clock)
        let result = try replay(injector, Self.topspeed { $0.loops = 0 }, [{ ArraySource([]) }, { ArraySource([]) }])
        #expect(result.ending == .endOfInput)
        #expect(result.statistics.loopsCompleted == 1)
    }

    @Test func aStopBeforeTheFirstPacketSendsNothing() throws {
        let injector = FakeInjector(clock: clock)
        let replayer = try Replayer(injector: injector, configuration: Self.topspeed(), clock: clock, logger: logs.logger)
        replayer.stopHandle.stop()
        let result = replayer.run(input([{ ArraySource([TestPacket()]) }]))
        #expect(result.ending == .stopped)
        #expect(injector.sent.isEmpty)
        #expect(result.statistics.elapsedNanoseconds == 0)
    }

    @Test(arguments: [
        ReplayRate.multiplier(0), .multiplier(-1), .multiplier(.infinity), .packetsPerSecond(0), .megabitsPerSecond(.nan),
    ])
    func badRatesAreRefused(rate: ReplayRate) {
        var configuration = ReplayConfiguration()
        configuration.rate = rate
        #expect(throws: ReplayError.self) { try configuration.validate() }
    }

    @Test func badLimitsAreRefused() {
        for change in [{ (c: inout ReplayConfiguration) in c.loops = -1 }, { $0.packetLimit = 0 }, { $0.durationNanoseconds = 0 }] {
            var configuration = ReplayConfiguration()
            change(&configuration)
            #expect(throws: ReplayError.self) { try configuration.validate() }
        }
        #expect(throws: Never.self) { try ReplayConfiguration().validate() }
    }
}
