import TapedeckAlerts
import TapedeckCore
import TapedeckFlows
import Testing

private let syn = PacketFactory.syn, ack = PacketFactory.ack, fin = PacketFactory.fin, rst = PacketFactory.rst

/// Flow table behaviour: how flows start and end, their ids, timeouts in packet time.
@Suite("Flow lifecycle: close reasons, timeouts, ids")
struct FlowLifecycleTests {
    static let second: Int64 = 1_000_000_000

    /// A UDP packet of another flow at `time` (ns), to move packet time on.
    static func tick(_ time: Int64) -> OwnedPacket {
        var other = PacketFactory()
        other.client = .init(address: "192.0.2.1", port: 1)
        other.server = .init(address: "192.0.2.2", port: 2)
        other.time = time
        return other.udp(fromClient: true, payload: [0])
    }

    @Test("a UDP flow closes after 60 s of packet time without packets; its next packet starts a new flow")
    func udpIdle() {
        var factory = PacketFactory()
        let start = factory.time
        let tracker = FlowTracker()
        var log = EventLog()
        tracker.process([factory.udp(fromClient: true, payload: [1]), factory.udp(fromClient: false, payload: [2])], into: &log)
        tracker.process([Self.tick(start + 59 * Self.second)], into: &log)
        // Quiet for more than 10 s: the packets went out as a chunk, but the flow is not closed yet.
        #expect(log.chunks.map(\.isFinal) == [false] && log.chunks.first?.packetCount == 2)
        tracker.process([Self.tick(start + 61 * Self.second)], into: &log)
        #expect(log.chunks.count == 2)
        #expect(log.chunks.last?.closeReason == .idle && log.chunks.last?.packetCount == 0 && log.chunks.last?.index == 1)
        #expect(log.chunks.last?.lastTimestamp.nanoseconds == start + Self.second / 1000, "the flow's last packet")
        #expect(log.chunks.first?.key.sourcePort == 40000, "the first packet's sender is the client")
        factory.time = start + 62 * Self.second
        tracker.process([factory.udp(fromClient: false, payload: [3])], into: &log)
        tracker.flushAll(into: &log)
        let flows = log.flows.filter { $0.key.sourcePort != 1 }
        #expect(flows.count == 2 && flows[0].id != flows[1].id)
        #expect(flows[1].key.sourcePort == 80 && flows[1].closeReason == .shutdown)
        #expect(tracker.statistics.flowsClosed[.idle] == 1 && tracker.statistics.flowsClosed[.shutdown] == 2)
    }

    @Test("advanceTime closes idle flows without a packet, and ICMP flows time out after 30 s")
    func advanceTime() {
        var factory = PacketFactory()
        let tracker = FlowTracker()
        var log = EventLog()
        // An ICMP echo request, built from a UDP frame by changing the protocol.
        var echo = factory.udp(fromClient: true, payload: [0, 0, 0, 0])
        echo.bytes[14 + 9] = 1
        echo.bytes.replaceSubrange(34..<38, with: [8, 0, 0, 0])
        tracker.process([echo], into: &log)
        tracker.advanceTime(to: Timestamp(nanoseconds: echo.timestamp.nanoseconds + 10 * Self.second), into: &log)
        #expect(log.chunks.isEmpty)
        tracker.advanceTime(to: Timestamp(nanoseconds: echo.timestamp.nanoseconds + 11 * Self.second), into: &log)
        #expect(log.chunks.map(\.closeReason) == [nil] && log.chunks.first?.packetCount == 1, "quiet for 10 s: the packet goes out")
        tracker.advanceTime(to: Timestamp(nanoseconds: echo.timestamp.nanoseconds + 30 * Self.second), into: &log)
        #expect(log.chunks.count == 1)
        tracker.advanceTime(to: Timestamp(nanoseconds: echo.timestamp.nanoseconds + 31 * Self.second), into: &log)
        #expect(log.chunks.map(\.closeReason) == [nil, .idle] && log.chunks.last?.key.ipProtocol == 1)
        tracker.advanceTime(to: Timestamp(nanoseconds: 0), into: &log)  // earlier: ignored
        #expect(tracker.statistics.activeFlows == 0 && tracker.statistics.memoryInUse == 0)
    }

    @Test("RST ends a connection: stragglers within the linger join it, then it closes as rst")
    func rstClose() {
        var factory = PacketFactory()
        let tracker = FlowTracker()
        var log = EventLog()
        tracker.process([factory.tcp(fromClient: true, seq: 100, flags: syn),
                         factory.tcp(fromClient: false, seq: 0, ack: 101, flags: rst | ack),
                         factory.tcp(fromClient: true, seq: 100, flags: syn)], into: &log)  // retransmitted SYN, same ISN
        #expect(log.chunks.isEmpty)
        tracker.process([Self.tick(factory.time + 3 * Self.second)], into: &log)
        let chunk = log.chunks.first { $0.key.ipProtocol == 6 }
        #expect(chunk?.closeReason == .rst && chunk?.packetCount == 3 && chunk?.isFinal == true)
    }

    @Test("FIN from both sides, the last acknowledged, closes as fin after the linger; without the final ACK after 10 s")
    func finClose() {
        for acknowledged in [true, false] {
            var factory = PacketFactory()
            let tracker = FlowTracker()
            var log = EventLog()
            var packets = [factory.tcp(fromClient: true, seq: 100, flags: syn),
                           factory.tcp(fromClient: false, seq: 500, ack: 101, flags: syn | ack),
                           factory.tcp(fromClient: true, seq: 101, ack: 501, flags: ack, payload: [1, 2]),
                           factory.tcp(fromClient: true, seq: 103, ack: 501, flags: fin | ack),
                           factory.tcp(fromClient: false, seq: 501, ack: 104, flags: fin | ack)]
            if acknowledged { packets.append(factory.tcp(fromClient: true, seq: 104, ack: 502, flags: ack)) }
            tracker.process(packets, into: &log)
            tracker.process([Self.tick(factory.time + 3 * Self.second)], into: &log)
            #expect(log.chunks.contains { $0.key.ipProtocol == 6 } == acknowledged, "closed after the 2 s linger only if acknowledged")
            tracker.process([Self.tick(factory.time + 11 * Self.second)], into: &log)
            let chunk = log.chunks.first { $0.key.ipProtocol == 6 }
            #expect(chunk?.closeReason == .fin && chunk?.packetCount == packets.count)
            #expect(log.segments.first?.bytes == [1, 2] && log.segments.first?.closeReason == .fin)
        }
    }

    @Test("one FIN only is a half-close: the connection stays open until the 300 s idle timeout")
    func halfClose() {
        var factory = PacketFactory()
        let tracker = FlowTracker()
        var log = EventLog()
        tracker.process([factory.tcp(fromClient: true, seq: 100, flags: syn),
                         factory.tcp(fromClient: false, seq: 500, ack: 101, flags: syn | ack),
                         factory.tcp(fromClient: true, seq: 101, ack: 501, flags: fin | ack),
                         factory.tcp(fromClient: false, seq: 501, ack: 102, flags: ack)], into: &log)
        tracker.process([Self.tick(factory.time + 299 * Self.second)], into: &log)
        #expect(!log.chunks.contains { $0.key.ipProtocol == 6 && $0.isFinal })
        tracker.process([Self.tick(factory.time + 301 * Self.second)], into: &log)
        #expect(log.chunks.first { $0.key.ipProtocol == 6 && $0.isFinal }?.closeReason == .idle)
    }

    @Test("a SYN with a new sequence number on a known 5-tuple starts a new flow; the old one ends at once")
    func portReuse() {
        var factory = PacketFactory()
        let tracker = FlowTracker()
        var log = EventLog()
        tracker.process([factory.tcp(fromClient: true, seq: 100, flags: syn),
                         factory.tcp(fromClient: false, seq: 500, ack: 101, flags: syn | ack),
                         factory.tcp(fromClient: true, seq: 101, ack: 501, flags: rst)], into: &log)
        tracker.process([factory.tcp(fromClient: true, seq: 9000, flags: syn)], into: &log)
        #expect(log.chunks.map(\.closeReason) == [.rst] && log.chunks.first?.packetCount == 3)
        tracker.process([factory.tcp(fromClient: true, seq: 20000, flags: syn)], into: &log)  // reuse again, never ended
        #expect(log.chunks.map(\.closeReason) == [.rst, .idle])
        tracker.flushAll(into: &log)
        #expect(Set(log.flows.map(\.id)).count == 3)
        #expect(log.chunks.map(\.closeReason) == [.rst, .idle, .shutdown])
    }

    @Test("flushAll closes open flows as shutdown and ended connections with their own reason")
    func flushReasons() {
        var factory = PacketFactory()
        let tracker = FlowTracker()
        var log = EventLog()
        tracker.process([factory.tcp(fromClient: true, seq: 100, flags: syn),
                         factory.tcp(fromClient: false, seq: 0, ack: 101, flags: rst | ack)], into: &log)
        factory.client.port = 40001
        tracker.process([factory.tcp(fromClient: true, seq: 100, flags: syn)], into: &log)
        factory.client.port = 40002
        tracker.process([factory.tcp(fromClient: true, seq: 100, flags: syn | fin),
                         factory.tcp(fromClient: false, seq: 7, ack: 102, flags: syn | ack | fin)], into: &log)
        tracker.flushAll(into: &log)
        let reasons = Dictionary(uniqueKeysWithValues: log.chunks.map { ($0.key.sourcePort, $0.closeReason) })
        #expect(reasons == [40000: .rst, 40001: .shutdown, 40002: .fin])
        #expect(tracker.statistics.activeFlows == 0 && tracker.statistics.memoryInUse == 0)
    }

    @Test("replaying a capture gives the same events, and the flow id is the key's stable hash continued over the first packet time")
    func determinism() throws {
        var configuration = FlowTrackerConfiguration()
        configuration.maximumChunkBytes = 8 << 10
        configuration.memoryLimit = 64 << 10  // evictions too
        var runs: [[String]] = []
        for _ in 0..<2 {
            let tracker = FlowTracker(configuration: configuration)
            var log = EventLog()
            try tracker.processCapture(Fixtures.path("wechat.pcap"), into: &log)
            runs.append(log.events.map { event in
                switch event {
                case .chunk(let chunk):
                    "chunk \(chunk.flowID) \(chunk.index) \(chunk.closeReason?.rawValue ?? "-") \(chunk.packetCount) "
                        + SHA256.hex(chunk.pcapBytes())
                case .segment(let segment):
                    "segment \(segment.flowID) \(segment.direction) \(segment.index) \(segment.offset) \(segment.missingBefore) "
                        + SHA256.hex(segment.bytes)
                }
            })
        }
        #expect(runs[0] == runs[1])
        #expect(runs[0].contains { $0.contains(" evicted ") })

        let key = FiveTuple(ipProtocol: 6, source: IPAddress("10.0.0.1")!, destination: IPAddress("10.0.0.2")!,
                            sourcePort: 1, destinationPort: 2).flowKey
        var hash = key.stableHash
        for byte in withUnsafeBytes(of: Int64(1_700_000_000_123_456_789).littleEndian, Array.init) {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
        }
        let id = FlowID(key: key, firstPacket: Timestamp(nanoseconds: 1_700_000_000_123_456_789))
        #expect(id.rawValue == hash)
        #expect(id.description.count == 16)
    }

    @Test("beyond maximumFlows the least recently active flow is evicted")
    func maximumFlows() {
        var configuration = FlowTrackerConfiguration()
        configuration.maximumFlows = 3
        let tracker = FlowTracker(configuration: configuration)
        var log = EventLog()
        var factory = PacketFactory()
        for port in UInt16(1)...5 {
            factory.client.port = port
            tracker.process([factory.udp(fromClient: true, payload: [])], into: &log)
        }
        #expect(log.chunks.map(\.key.sourcePort) == [1, 2] && log.chunks.allSatisfy { $0.closeReason == .evicted })
        factory.client.port = 3
        tracker.process([factory.udp(fromClient: true, payload: [])], into: &log)  // 3 is now the most recent
        factory.client.port = 6
        tracker.process([factory.udp(fromClient: true, payload: [])], into: &log)
        #expect(log.chunks.map(\.key.sourcePort) == [1, 2, 4])
        #expect(tracker.statistics.activeFlows == 3 && tracker.statistics.flowsClosed[.evicted] == 3)
    }
}
