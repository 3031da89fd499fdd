import Foundation
import TapedeckCapture
import TapedeckCore
import Testing

/// The live sources on a veth pair: real captures replayed with tcpreplay at 20,000 packets per
/// second from inside a network namespace, captured on the other end, compared with the file.
///
/// These need root; without it every test fails (``NetworkNamespace`` throws). No sleeps: each
/// test waits for tcpreplay to exit and then drains its sources until they stay quiet (longer
/// than two block timeouts) or, after a stop, until they finish.
@Suite struct LiveCaptureTests {
    typealias Support = LiveCaptureSupport

    /// Ethernet, 300 packets: ARP, IGMP, ICMP, ICMPv6, IPv6 hop-by-hop, TCP, UDP; no fragments.
    static let capture = Support.fixture("anyconnect-vpn-300.pcap")
    /// Ethernet, 1439 packets in 64 IP conversations; no fragments.
    static let manyFlows = Support.fixture("1kxun.pcap")

    @Test func afPacketSourceCapturesEveryPacketInOrder() throws {
        let network = try NetworkNamespace()
        let source = try AFPacketSource(configuration: Support.afPacket(network.captureInterface))
        let start = Timestamp.now()
        let sent = try network.replay(Self.capture, packetsPerSecond: 20_000)
        let frames = try Support.drain(source)
        let end = Timestamp.now()

        let expected = try Support.frames(of: Self.capture)
        #expect(sent == expected.count)
        #expect(Support.difference(expected: expected, actual: frames.map(\.bytes)) == nil)
        #expect(frames.allSatisfy { $0.originalLength == UInt32($0.bytes.count) })
        #expect(frames.allSatisfy { $0.timestamp >= start && $0.timestamp <= end })
        #expect(zip(frames, frames.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
        #expect(source.linkType == .ethernet)
        #expect(source.name == network.captureInterface)
        #expect(!source.isFinished)

        let statistics = try source.statistics()
        #expect(statistics.packetsReceived == UInt64(expected.count))
        #expect(statistics.packetsDropped == 0)
        #expect(statistics.packetsDelivered == UInt64(expected.count))
        #expect(statistics.ringFullEvents == 0)
        // 69 KB never fill a 256 KiB block: only the block timeout hands them over.
        #expect(statistics.blocksTimedOut >= 1)
        #expect(statistics.blocksFull == 0)
        // The kernel's counters were reset by the read; the totals stay.
        #expect(try source.statistics() == statistics)
    }

    @Test func pcapLiveSourceCapturesEveryPacketInOrder() throws {
        let network = try NetworkNamespace()
        let source = try PcapLiveSource(configuration: PcapLiveConfiguration(interface: network.captureInterface))
        try network.replay(Self.capture, packetsPerSecond: 20_000)
        let frames = try Support.drain(source)

        let expected = try Support.frames(of: Self.capture)
        #expect(Support.difference(expected: expected, actual: frames.map(\.bytes)) == nil)
        #expect(zip(frames, frames.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
        #expect(source.linkType == .ethernet)
        #expect(source.activationWarning == nil)
        let statistics = try source.statistics()
        #expect(statistics.packetsReceived == UInt64(expected.count))
        #expect(statistics.packetsDropped == 0)
        #expect(statistics.packetsDelivered == UInt64(expected.count))
    }

    /// The kernel takes the outer tag out of every received frame; both sources put it back with
    /// its TPID: 802.1Q, 802.1ad, QinQ (the inner tag never left), and priority tags (VLAN 0).
    @Test func vlanTaggedFramesComeBackWithTheirTags() throws {
        let plain = Array(try Support.frames(of: Self.capture).prefix(60))
        let frames = plain.enumerated().map { index, frame -> [UInt8] in
            let vlan = UInt16(100 + index)
            switch index % 6 {
            case 0: return frame
            case 1: return Support.tagged(frame, tpid: 0x8100, tci: 0x6000 | vlan)
            case 2: return Support.tagged(frame, tpid: 0x88A8, tci: vlan)
            case 3: return Support.tagged(Support.tagged(frame, tpid: 0x8100, tci: vlan), tpid: 0x88A8, tci: 7)
            case 4: return Support.tagged(frame, tpid: 0x8100, tci: 0xA000)
            default: return Support.tagged(frame, tpid: 0x8100, tci: 0)
            }
        }
        let path = try Support.writeCapture(frames)
        defer { try? FileManager.default.removeItem(atPath: path) }

        let network = try NetworkNamespace()
        let afPacket = try AFPacketSource(configuration: Support.afPacket(network.captureInterface))
        let pcap = try PcapLiveSource(configuration: PcapLiveConfiguration(interface: network.captureInterface))
        try network.replay(path, packetsPerSecond: 20_000)
        let fromAFPacket = try Support.drain(afPacket)
        let fromPcap = try Support.drain(pcap)

        #expect(Support.difference(expected: frames, actual: fromAFPacket.map(\.bytes)) == nil)
        #expect(fromAFPacket.allSatisfy { $0.originalLength == UInt32($0.bytes.count) })
        #expect(Support.difference(expected: frames, actual: fromPcap.map(\.bytes)) == nil)
    }

    /// Two sources in one fanout group split the traffic by flow: together they see every packet
    /// once, each in the order it was sent.
    @Test func fanoutSharesTheTrafficWithoutDuplicates() throws {
        let network = try NetworkNamespace()
        let group = UInt16.random(in: 1...UInt16.max)
        let first = try AFPacketSource(configuration: Support.afPacket(network.captureInterface) { $0.fanoutGroup = group })
        let second = try AFPacketSource(configuration: Support.afPacket(network.captureInterface) { $0.fanoutGroup = group })
        try network.replay(Self.manyFlows, packetsPerSecond: 20_000)
        let fromFirst = try Support.drain(first).map(\.bytes)
        let fromSecond = try Support.drain(second).map(\.bytes)

        let expected = try Support.frames(of: Self.manyFlows)
        #expect(fromFirst.count + fromSecond.count == expected.count)
        #expect(Support.multiset(fromFirst + fromSecond) == Support.multiset(expected))
        #expect(!fromFirst.isEmpty && !fromSecond.isEmpty, "\(fromFirst.count) and \(fromSecond.count) packets")
        #expect(Support.isSubsequence(fromFirst, of: expected))
        #expect(Support.isSubsequence(fromSecond, of: expected))
    }

    /// On a loopback interface every packet passes once out and once in; both sources keep one copy.
    @Test func loopbackKeepsOneCopyOfEveryPacket() throws {
        let network = try NetworkNamespace()
        try network.inside("ip", ["link", "set", "lo", "up"])
        nonisolated(unsafe) let (afPacket, pcap) = try network.onThreadInside {
            (try AFPacketSource(configuration: Support.afPacket("lo")),
             try PcapLiveSource(configuration: PcapLiveConfiguration(interface: "lo")))
        }
        try network.replay(Self.capture, packetsPerSecond: 20_000, on: "lo")

        let expected = try Support.frames(of: Self.capture)
        let fromAFPacket = try Support.drain(afPacket).map(\.bytes)
        let fromPcap = try Support.drain(pcap).map(\.bytes)
        #expect(afPacket.linkType == .ethernet)
        #expect(Support.difference(expected: expected, actual: fromAFPacket) == nil)
        #expect(Support.difference(expected: expected, actual: fromPcap) == nil)
    }

    /// A filter keeps exactly the packets tcpdump's same filter keeps from the file.
    @Test func filterKeepsOnlyMatchingPackets() throws {
        let filter = "udp or icmp6"
        let oracle = FileManager.default.temporaryDirectory.appendingPathComponent("tapedeck-live-\(UUID().uuidString).pcap").path
        defer { try? FileManager.default.removeItem(atPath: oracle) }
        try NetworkNamespace.run("tcpdump", ["-r", Self.capture, "-w", oracle, filter])
        let expected = try Support.frames(of: oracle)

        let network = try NetworkNamespace()
        let afPacket = try AFPacketSource(configuration: Support.afPacket(network.captureInterface) { $0.filter = filter })
        var pcapConfiguration = PcapLiveConfiguration(interface: network.captureInterface)
        pcapConfiguration.filter = filter
        let pcap = try PcapLiveSource(configuration: pcapConfiguration)
        try network.replay(Self.capture, packetsPerSecond: 20_000)
        let fromAFPacket = try Support.drain(afPacket).map(\.bytes)
        let fromPcap = try Support.drain(pcap).map(\.bytes)

        #expect(!expected.isEmpty && expected.count < 300, "\(expected.count) packets match")
        #expect(Support.difference(expected: expected, actual: fromAFPacket) == nil)
        #expect(Support.difference(expected: expected, actual: fromPcap) == nil)
        // The kernel counts only packets the filter let through.
        #expect(try afPacket.statistics().packetsReceived == UInt64(expected.count))
    }

    @Test func snapLengthCutsPacketsAndKeepsTheirLength() throws {
        let network = try NetworkNamespace()
        let afPacket = try AFPacketSource(configuration: Support.afPacket(network.captureInterface) { $0.snapLength = 64 })
        var pcapConfiguration = PcapLiveConfiguration(interface: network.captureInterface)
        pcapConfiguration.snapLength = 64
        let pcap = try PcapLiveSource(configuration: pcapConfiguration)
        try network.replay(Self.capture, packetsPerSecond: 20_000)

        let expected = try Support.frames(of: Self.capture)
        for frames in [try Support.drain(afPacket), try Support.drain(pcap)] {
            #expect(Support.difference(expected: expected.map { Array($0.prefix(64)) }, actual: frames.map(\.bytes)) == nil)
            #expect(frames.map(\.originalLength) == expected.map { UInt32($0.count) })
        }
    }

    /// A ring of two 4 KiB blocks that nobody reads while 1439 packets arrive at full speed
    /// overflows: the kernel counts the drops and the times it found the ring full, and every
    /// packet it counted was either dropped or delivered.
    @Test func statisticsCountDropsWhenTheRingIsFull() throws {
        let network = try NetworkNamespace()
        let source = try AFPacketSource(configuration: Support.afPacket(network.captureInterface) {
            $0.ringSize = 8192
            $0.blockSize = 4096
        })
        let sent = try network.replay(Self.manyFlows, packetsPerSecond: nil)
        let frames = try Support.drain(source)

        let statistics = try source.statistics()
        #expect(statistics.packetsReceived == UInt64(sent))
        #expect(statistics.packetsDropped > 0)
        #expect(statistics.ringFullEvents > 0)
        #expect(statistics.packetsDelivered == UInt64(frames.count))
        #expect(statistics.packetsDelivered + statistics.packetsDropped == statistics.packetsReceived)
        #expect(Support.isSubsequence(frames.map(\.bytes), of: try Support.frames(of: Self.manyFlows)))
    }

    /// After a stop, a source returns what it captured before — including the packets of the
    /// block the kernel was still filling — and then finishes for good.
    @Test func stopDeliversEverythingCapturedBeforeIt() throws {
        let network = try NetworkNamespace()
        let afPacket = try AFPacketSource(configuration: Support.afPacket(network.captureInterface))
        let pcap = try PcapLiveSource(configuration: PcapLiveConfiguration(interface: network.captureInterface))
        try network.replay(Self.capture, packetsPerSecond: 20_000)
        afPacket.stopHandle.stop()
        pcap.stopHandle.stop()
        #expect(afPacket.stopHandle.isStopRequested)

        let expected = try Support.frames(of: Self.capture)
        let fromAFPacket = try Support.readToEnd(afPacket).map(\.bytes)
        let fromPcap = try Support.readToEnd(pcap).map(\.bytes)
        #expect(Support.difference(expected: expected, actual: fromAFPacket) == nil)
        #expect(Support.difference(expected: expected, actual: fromPcap) == nil)
        for source in [afPacket, pcap] as [any LivePacketSource] {
            #expect(source.isFinished)
        }
        #expect(try afPacket.next(timeoutMilliseconds: 0) == nil)
        #expect(try pcap.next(timeoutMilliseconds: 0) == nil)
    }

    /// A stop ends a source within a bounded time while packets keep arriving.
    @Test func stopEndsTheSourceWhilePacketsKeepComing() throws {
        let network = try NetworkNamespace()
        let afPacket = try AFPacketSource(configuration: Support.afPacket(network.captureInterface))
        let pcap = try PcapLiveSource(configuration: PcapLiveConfiguration(interface: network.captureInterface))
        let replay = try network.replayForever(Self.manyFlows, packetsPerSecond: 50_000)
        for source in [afPacket, pcap] as [any LivePacketSource] {
            var source = source
            #expect(try source.next(timeoutMilliseconds: 10_000) != nil)
            source.stopHandle.stop()
            let stopping = ContinuousClock.now
            while !source.isFinished, ContinuousClock.now - stopping < .seconds(10) {
                _ = try source.next(timeoutMilliseconds: 1000)
            }
            #expect(source.isFinished, "\(source.name) still delivering 10 s after the stop")
        }
        withExtendedLifetime(replay) {}
    }

    /// On a quiet link `next` times out without finishing; a stop from another thread wakes a
    /// long wait at once.
    @Test(arguments: ["afpacket", "pcap"])
    func stopWakesAWaitingSource(_ kind: String) throws {
        let network = try NetworkNamespace()
        let source: any LivePacketSource = kind == "pcap"
            ? try PcapLiveSource(configuration: PcapLiveConfiguration(interface: network.captureInterface))
            : try AFPacketSource(configuration: Support.afPacket(network.captureInterface))
        var waiting = source

        let quiet = ContinuousClock.now
        #expect(try waiting.next(timeoutMilliseconds: 300) == nil)
        #expect(ContinuousClock.now - quiet >= .milliseconds(300))
        #expect(!waiting.isFinished)

        let handle = source.stopHandle
        Thread.detachNewThread { handle.stop() }
        let stopping = ContinuousClock.now
        while !waiting.isFinished {
            #expect(try waiting.next(timeoutMilliseconds: 60_000) == nil)
        }
        // Woken at once, then two 100 ms block timeouts for the kernel's last block.
        #expect(ContinuousClock.now - stopping < .seconds(5))
    }

    /// Promiscuous mode is on while a source that asked for it is open, and only then.
    @Test func promiscuousModeFollowsTheOption() throws {
        let network = try NetworkNamespace()
        func promiscuity() throws -> String? {
            let details = try NetworkNamespace.run("ip", ["-details", "link", "show", network.captureInterface])
            return details.split(separator: " ").drop { $0 != "promiscuity" }.dropFirst().first.map(String.init)
        }
        #expect(try promiscuity() == "0")
        do {
            let source = try AFPacketSource(configuration: Support.afPacket(network.captureInterface) { $0.promiscuous = false })
            #expect(try promiscuity() == "0")
            withExtendedLifetime(source) {}
        }
        do {
            let source = try AFPacketSource(configuration: Support.afPacket(network.captureInterface))
            #expect(try promiscuity() == "1")
            withExtendedLifetime(source) {}
        }
        #expect(try promiscuity() == "0")
        do {
            let source = try PcapLiveSource(configuration: PcapLiveConfiguration(interface: network.captureInterface))
            #expect(try promiscuity() == "1")
            withExtendedLifetime(source) {}
        }
        #expect(try promiscuity() == "0")
    }
}
