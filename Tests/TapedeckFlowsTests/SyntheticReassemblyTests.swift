import TapedeckCore
import TapedeckFlows
import Testing

private let syn = PacketFactory.syn, ack = PacketFactory.ack, fin = PacketFactory.fin

/// Hand-built TCP conversations for the cases real captures rarely show.
@Suite("Reassembly: wrap-around, reordering, overlaps, gaps")
struct SyntheticReassemblyTests {
    /// Bytes `start..<end` of a recognisable pattern.
    static func bytes(_ range: Range<Int>, pattern: UInt8 = 0) -> [UInt8] {
        range.map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) ^ pattern }
    }

    /// A handshake with initial sequence numbers `client` and `server`.
    static func handshake(_ factory: inout PacketFactory, client: UInt32, server: UInt32) -> [OwnedPacket] {
        [factory.tcp(fromClient: true, seq: client, flags: syn),
         factory.tcp(fromClient: false, seq: server, ack: client &+ 1, flags: syn | ack),
         factory.tcp(fromClient: true, seq: client &+ 1, ack: server &+ 1, flags: ack)]
    }

    /// Runs `packets` through a tracker with `configuration`, flushes, returns the one flow.
    static func run(_ packets: [OwnedPacket], _ configuration: FlowTrackerConfiguration = FlowTrackerConfiguration(),
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> (FlowSummary, FlowTrackerStatistics) {
        let tracker = FlowTracker(configuration: configuration)
        var log = EventLog()
        tracker.process(packets, into: &log)
        tracker.flushAll(into: &log)
        let flows = log.flows
        try #require(flows.count == 1, "\(flows.count) flows", sourceLocation: sourceLocation)
        return (flows[0], tracker.statistics)
    }

    @Test("sequence numbers wrap around 2^32 in both directions, segments reordered across the wrap")
    func wrapAround() throws {
        var factory = PacketFactory()
        let clientISN: UInt32 = 0xFFFF_FC00, serverISN: UInt32 = 0xFFFF_FFFE
        var packets = Self.handshake(&factory, client: clientISN, server: serverISN)
        let upload = Self.bytes(0..<6000), download = Self.bytes(0..<9000, pattern: 0x5A)
        var segments: [OwnedPacket] = []
        for start in stride(from: 0, to: 6000, by: 1000) {
            segments.append(factory.tcp(fromClient: true, seq: clientISN &+ 1 &+ UInt32(start), ack: serverISN &+ 1, flags: ack,
                                        payload: Array(upload[start..<start + 1000])))
        }
        for start in stride(from: 0, to: 9000, by: 1500) {
            segments.append(factory.tcp(fromClient: false, seq: serverISN &+ 1 &+ UInt32(start), ack: clientISN &+ 1, flags: ack,
                                        payload: Array(download[start..<start + 1500])))
        }
        segments.swapAt(0, 2)  // the client's first segment (before the wrap) arrives after the third (after it)
        segments.swapAt(7, 8)
        packets += segments
        let (flow, statistics) = try Self.run(packets)
        #expect(flow.data(.clientToServer) == upload)
        #expect(flow.data(.serverToClient) == download)
        #expect(flow.gaps(.clientToServer).isEmpty && flow.gaps(.serverToClient).isEmpty)
        #expect(flow.streams[0].first?.startsAtConnectionStart == true)
        #expect(statistics.retransmittedBytes == 0)
    }

    @Test("retransmissions and overlaps: delivered bytes are final; the earliest-arrived segment covering the end continues")
    func overlapPolicy() throws {
        var factory = PacketFactory()
        var packets = Self.handshake(&factory, client: 1000, server: 5000)
        let first = Self.bytes(0..<100, pattern: 0x11), second = Self.bytes(0..<100, pattern: 0x22)
        func data(_ offset: Int, _ source: [UInt8], _ range: Range<Int>) -> OwnedPacket {
            factory.tcp(fromClient: true, seq: 1001 + UInt32(offset), ack: 5001, flags: ack, payload: Array(source[range]))
        }
        packets += [
            data(0, first, 0..<40),          // delivered: 0..<40 from `first`
            data(20, second, 20..<60),       // overlaps delivered bytes: only 40..<60 is new, from `second`
            data(80, first, 80..<100),       // out of order, arrives first
            data(70, second, 70..<100),      // out of order, overlaps it, starts lower
            data(60, first, 60..<75),        // fills the hole, then the segment starting at 70 continues (75..<100 from `second`)
            data(0, second, 0..<100),        // full retransmission with other bytes: nothing new
        ]
        let (flow, statistics) = try Self.run(packets)
        let expected = Array(first[0..<40]) + Array(second[40..<60]) + Array(first[60..<75]) + Array(second[75..<100])
        #expect(flow.data(.clientToServer) == expected)
        #expect(flow.gaps(.clientToServer).isEmpty)
        #expect(statistics.retransmittedBytes == 20 + 5 + 20 + 100)
    }

    @Test("of two out-of-order segments at the same offset, the first to arrive supplies the bytes")
    func sameStartFirstArrivalWins() throws {
        var factory = PacketFactory()
        var packets = Self.handshake(&factory, client: 1000, server: 5000)
        let a = Self.bytes(0..<50, pattern: 0xA0), b = Self.bytes(0..<50, pattern: 0xB0)
        packets += [factory.tcp(fromClient: true, seq: 1011, ack: 5001, flags: ack, payload: Array(a[10..<50])),
                    factory.tcp(fromClient: true, seq: 1011, ack: 5001, flags: ack, payload: Array(b[10..<50])),
                    factory.tcp(fromClient: true, seq: 1001, ack: 5001, flags: ack, payload: Array(b[0..<10]))]
        let (flow, _) = try Self.run(packets)
        #expect(flow.data(.clientToServer) == Array(b[0..<10]) + Array(a[10..<50]))
    }

    @Test("a hole the receiver acknowledges becomes a gap; the data after it is delivered, a late copy of the hole is dropped")
    func gapAcknowledged() throws {
        var factory = PacketFactory()
        var packets = Self.handshake(&factory, client: 1000, server: 5000)
        let payload = Self.bytes(0..<3000)
        packets += [
            factory.tcp(fromClient: false, seq: 5001, ack: 1001, flags: ack, payload: Array(payload[0..<1000])),
            // 1000..<2000 never captured
            factory.tcp(fromClient: false, seq: 7001, ack: 1001, flags: ack, payload: Array(payload[2000..<3000])),
            factory.tcp(fromClient: true, seq: 1001, ack: 8001, flags: ack),  // the client got everything
            factory.tcp(fromClient: false, seq: 6001, ack: 1001, flags: ack, payload: Array(payload[1000..<2000])),  // too late
        ]
        let (flow, statistics) = try Self.run(packets)
        #expect(flow.data(.serverToClient) == Array(payload[0..<1000]) + Array(payload[2000..<3000]))
        let gaps = flow.gaps(.serverToClient)
        #expect(gaps.count == 1 && gaps.first?.position == 1000 && gaps.first?.length == 1000)
        let segments = flow.streams[1]
        #expect(segments.map(\.offset) == [0, 2000] && segments.map(\.missingBefore) == [0, 1000])
        #expect(segments.map(\.isFinal) == [false, true] && segments.last?.closeReason == .shutdown)
        #expect(statistics.streamGaps == 1 && statistics.streamGapBytes == 1000 && statistics.retransmittedBytes == 1000)
    }

    @Test("a hole nobody acknowledges is declared a gap when the flow ends, and so are bytes missing before the FIN")
    func gapAtClose() throws {
        var factory = PacketFactory()
        var packets = Self.handshake(&factory, client: 1000, server: 5000)
        let payload = Self.bytes(0..<400)
        packets += [
            factory.tcp(fromClient: true, seq: 1001, ack: 5001, flags: ack, payload: Array(payload[0..<100])),
            factory.tcp(fromClient: true, seq: 1201, ack: 5001, flags: ack, payload: Array(payload[200..<300])),
            factory.tcp(fromClient: true, seq: 1401, ack: 5001, flags: ack | fin),  // 300..<400 missing too
        ]
        let (flow, _) = try Self.run(packets)
        #expect(flow.data(.clientToServer) == Array(payload[0..<100]) + Array(payload[200..<300]))
        #expect(flow.gaps(.clientToServer).map { "\($0.position)+\($0.length)" } == ["100+100", "200+100"])
        #expect(flow.streams[0].last?.isFinal == true && flow.streams[0].last?.endOffset == 400)
    }

    @Test("the out-of-order buffer is bounded: beyond it the hole becomes a gap")
    func outOfOrderOverflow() throws {
        var configuration = FlowTrackerConfiguration()
        configuration.maximumOutOfOrderBytes = 4096
        var factory = PacketFactory()
        var packets = Self.handshake(&factory, client: 1000, server: 5000)
        let payload = Self.bytes(0..<20_000)
        for start in stride(from: 1000, to: 20_000, by: 1000) {  // 0..<1000 never comes
            packets.append(factory.tcp(fromClient: true, seq: 1001 + UInt32(start), ack: 5001, flags: ack,
                                       payload: Array(payload[start..<start + 1000])))
        }
        let (flow, statistics) = try Self.run(packets, configuration)
        #expect(flow.data(.clientToServer) == Array(payload[1000...]))
        #expect(flow.gaps(.clientToServer).map { "\($0.position)+\($0.length)" } == ["0+1000"])
        #expect(statistics.peakMemoryInUse < 64 << 10)
    }

    @Test("keep-alives and zero-window probes add nothing; payload ends before Ethernet padding")
    func probesAndPadding() throws {
        var factory = PacketFactory()
        var packets = Self.handshake(&factory, client: 1000, server: 5000)
        packets += [
            factory.tcp(fromClient: true, seq: 1001, ack: 5001, flags: ack, payload: [0x41, 0x42], padding: 4),  // 60-byte frame
            factory.tcp(fromClient: true, seq: 1002, ack: 5001, flags: ack, payload: [0xEE]),  // keep-alive: old byte, other value
            factory.tcp(fromClient: true, seq: 1002, ack: 5001, flags: ack),                  // keep-alive without a byte
            factory.tcp(fromClient: true, seq: 1003, ack: 5001, flags: ack, payload: [0x43]),  // zero-window probe: next byte
            factory.tcp(fromClient: true, seq: 1003, ack: 5001, flags: ack, payload: [0x43, 0x44, 0x45]),  // probe, then more
        ]
        let (flow, _) = try Self.run(packets)
        #expect(flow.data(.clientToServer) == [0x41, 0x42, 0x43, 0x44, 0x45])
        #expect(flow.gaps(.clientToServer).isEmpty)
    }

    @Test("a flow joined mid-stream: the client is the first sender, offsets start at the first sequence number")
    func midStream() throws {
        var factory = PacketFactory()
        let payload = Self.bytes(0..<3000)
        let packets = [
            factory.tcp(fromClient: false, seq: 90_000, ack: 7000, flags: ack, payload: Array(payload[0..<1000])),
            factory.tcp(fromClient: true, seq: 7000, ack: 91_000, flags: ack),
            factory.tcp(fromClient: false, seq: 92_000, ack: 7000, flags: ack, payload: Array(payload[2000..<3000])),
            factory.tcp(fromClient: false, seq: 91_000, ack: 7000, flags: ack, payload: Array(payload[1000..<2000])),
        ]
        let (flow, _) = try Self.run(packets)
        #expect(flow.key.sourcePort == 80, "the first packet's sender is the client")
        #expect(flow.data(.clientToServer) == payload)
        #expect(flow.streams[0].first?.startsAtConnectionStart == false)
        #expect(flow.streams[1].isEmpty, "the other side sent no payload")
    }

    @Test("mid-stream, a keep-alive probe as first packet does not shift the stream by one")
    func keepAliveOrigin() throws {
        var factory = PacketFactory()
        let packets = [
            factory.tcp(fromClient: true, seq: 41_999, ack: 7000, flags: ack),  // probe: one below the next byte
            factory.tcp(fromClient: false, seq: 7000, ack: 42_000, flags: ack),
            factory.tcp(fromClient: true, seq: 42_000, ack: 7000, flags: ack, payload: [1, 2, 3]),
            factory.tcp(fromClient: false, seq: 7000, ack: 42_003, flags: ack),
        ]
        let (flow, _) = try Self.run(packets)
        #expect(flow.data(.clientToServer) == [1, 2, 3])
        #expect(flow.gaps(.clientToServer).isEmpty)
    }

    @Test("a SYN-ACK first makes its receiver the client")
    func synAckFirst() throws {
        var factory = PacketFactory()
        let packets = [factory.tcp(fromClient: false, seq: 5000, ack: 1001, flags: syn | ack),
                       factory.tcp(fromClient: true, seq: 1001, ack: 5001, flags: ack, payload: [1, 2, 3])]
        let (flow, _) = try Self.run(packets)
        #expect(flow.key.sourcePort == 40000 && flow.key.destinationPort == 80)
        #expect(flow.data(.clientToServer) == [1, 2, 3])
    }

    @Test("bytes the capture cut off (snap length) are a gap")
    func truncatedCapture() throws {
        var factory = PacketFactory()
        var packets = Self.handshake(&factory, client: 1000, server: 5000)
        let payload = Self.bytes(0..<1200)
        var cut = factory.tcp(fromClient: false, seq: 5001, ack: 1001, flags: ack, payload: Array(payload[0..<1000]))
        cut.capturedLength = 14 + 20 + 20 + 600
        packets += [cut, factory.tcp(fromClient: false, seq: 6001, ack: 1001, flags: ack, payload: Array(payload[1000..<1200]))]
        let (flow, _) = try Self.run(packets)
        #expect(flow.data(.serverToClient) == Array(payload[0..<600]) + Array(payload[1000..<1200]))
        #expect(flow.gaps(.serverToClient).map { "\($0.position)+\($0.length)" } == ["600+400"])
    }

    @Test("IPv6 flows are reassembled like IPv4 ones")
    func ipv6() throws {
        var factory = PacketFactory()
        factory.client = .init(address: "2001:db8::1", port: 50000)
        factory.server = .init(address: "2001:db8::2", port: 443)
        var packets = Self.handshake(&factory, client: 1, server: 2)
        packets += [factory.tcp(fromClient: true, seq: 2, ack: 3, flags: ack, payload: [9, 8, 7]),
                    factory.tcp(fromClient: false, seq: 3, ack: 5, flags: ack, payload: [6, 5])]
        let (flow, _) = try Self.run(packets)
        #expect(flow.key.source == IPAddress("2001:db8::1"))
        #expect(flow.data(.clientToServer) == [9, 8, 7] && flow.data(.serverToClient) == [6, 5])
    }
}
