import Foundation
import TapedeckCapture
import TapedeckCore
@testable import TapedeckFlows
import Testing

@Suite("Chunks: every packet once, in order, under the size limit")
struct ChunkingTests {
    /// A packet as compared: time, original length and bytes.
    struct Packet: Equatable {
        var time: Int64
        var originalLength: UInt32
        var bytes: [UInt8]

        init(_ record: PacketRecord) {
            time = record.timestamp.nanoseconds
            originalLength = record.originalLength
            bytes = Array(record.bytes)
        }
    }

    static let fixtures = ["no_sni.pcap", "wechat.pcap", "ftp.pcap", "1kxun.pcap", "anyconnect-vpn-300.pcap",
                           "KakaoTalk_talk.pcap", "rdp.pcap", "ip_fragmented_garbage-62.pcap"]

    @Test("every packet with a 5-tuple is in exactly one chunk, in capture order within its flow", arguments: fixtures)
    func everyPacketOnce(_ name: String) throws {
        var configuration = FlowTrackerConfiguration()
        configuration.maximumChunkBytes = 16 << 10  // many chunks per flow
        let tracker = FlowTracker(configuration: configuration)
        var log = EventLog()
        var expected: [FlowKey: [Packet]] = [:]
        var withoutTuple = 0
        let reader = try PcapFileReader(path: Fixtures.path(name))
        while let record = try reader.next() {
            if let tuple = PacketDecoder.decode(record.bytes, linkType: record.linkType).fiveTuple {
                expected[tuple.flowKey, default: []].append(Packet(record))
            } else {
                withoutTuple += 1
            }
            tracker.process(record, into: &log)
        }
        tracker.flushAll(into: &log)

        var actual: [FlowKey: [Packet]] = [:]
        for flow in log.flows {
            #expect(flow.chunks.map(\.index) == Array(0..<UInt32(flow.chunks.count)), "\(flow.key): chunk indexes")
            #expect(flow.chunks.dropLast().allSatisfy { !$0.isFinal && $0.closeReason == nil }, "\(flow.key)")
            #expect(flow.chunks.last?.isFinal == true && flow.chunks.last?.closeReason != nil, "\(flow.key)")
            for chunk in flow.chunks {
                #expect(chunk.pcapByteCount <= configuration.maximumChunkBytes || chunk.packetCount == 1)
                #expect(chunk.packetCount > 0 || chunk.isFinal, "only a final chunk may be empty")
                chunk.packets.forEach { actual[flow.key.flowKey, default: []].append(Packet($0)) }
            }
        }
        #expect(actual.count == expected.count, "\(name): \(actual.count) keys, expected \(expected.count)")
        for (key, packets) in expected {
            #expect(actual[key] == packets, "\(name): \(key.canonical): \(actual[key]?.count ?? 0) packets, expected \(packets.count)")
        }
        let statistics = tracker.statistics
        #expect(statistics.packetsWithoutFlow == withoutTuple)
        #expect(statistics.flowsCreated == log.flows.count && statistics.flowsClosed.total == log.flows.count)
        #expect(statistics.activeFlows == 0 && statistics.memoryInUse == 0)
        print("chunks: \(name): \(statistics.packets) packets (\(withoutTuple) without a 5-tuple) in \(log.flows.count) flows, "
            + "\(statistics.chunks) chunks")
    }

    @Test("a long flow is cut into chunks under 900 KiB, and its stream into segments under the limit")
    func longFlow() throws {
        var factory = PacketFactory()
        let payload = (0..<12_000_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        var packets = [factory.tcp(fromClient: true, seq: 999, flags: PacketFactory.syn),
                       factory.tcp(fromClient: false, seq: 4999, ack: 1000, flags: PacketFactory.syn | PacketFactory.ack),
                       factory.tcp(fromClient: true, seq: 1000, ack: 5000, flags: PacketFactory.ack)]
        for start in stride(from: 0, to: payload.count, by: 1448) {
            let end = min(start + 1448, payload.count)
            packets.append(factory.tcp(fromClient: false, seq: 5000 + UInt32(start), ack: 1000, flags: PacketFactory.ack,
                                       payload: Array(payload[start..<end])))
            if start / 1448 % 2 == 1 {
                packets.append(factory.tcp(fromClient: true, seq: 1000, ack: 5000 + UInt32(end), flags: PacketFactory.ack))
            }
        }
        let tracker = FlowTracker()
        var log = EventLog()
        tracker.process(packets, into: &log)
        tracker.flushAll(into: &log)
        let flows = log.flows
        try #require(flows.count == 1)
        let flow = flows[0]
        #expect(flow.chunks.count > 13)
        #expect(flow.chunks.allSatisfy { $0.pcapByteCount <= 900 << 10 }, "\(flow.chunks.map(\.pcapByteCount).max() ?? 0)")
        #expect(flow.chunks.map(\.index) == Array(0..<UInt32(flow.chunks.count)))
        #expect(flow.chunks.filter(\.isFinal).count == 1 && flow.chunks.last?.closeReason == .shutdown)
        #expect(flow.packetCount == packets.count)
        #expect(flow.chunks.last?.flowPacketCount == packets.count)
        #expect(flow.data(.serverToClient) == payload)
        #expect(flow.gaps(.serverToClient).isEmpty)
        let segments = flow.streams[1]
        #expect(segments.allSatisfy { $0.bytes.count <= 900 << 10 })
        #expect(zip(segments, segments.dropFirst()).allSatisfy { $0.endOffset == $1.offset })
        #expect(segments.map(\.index) == Array(0..<UInt32(segments.count)))
        // Each segment reaches the sink before the chunk it goes with.
        var chunksSeen: Set<UInt32> = []
        for event in log.events {
            switch event {
            case .chunk(let chunk): chunksSeen.insert(chunk.index)
            case .segment(let segment): #expect(!chunksSeen.contains(segment.chunkIndex))
            }
        }
        print("long flow: \(payload.count) bytes in \(flow.chunks.count) chunks (largest \(flow.chunks.map(\.pcapByteCount).max()!) bytes), "
            + "\(segments.count) stream segments; peak memory \(tracker.statistics.peakMemoryInUse)")
    }

    @Test("a chunk's pcap reads back through libpcap with the same packets, nanosecond times")
    func pcapBytes() throws {
        let tracker = FlowTracker()
        var log = EventLog()
        try tracker.processCapture(Fixtures.path("KakaoTalk_talk.pcap"), into: &log)
        let chunk = try #require(log.chunks.max { $0.packetCount < $1.packetCount })
        let bytes = chunk.pcapBytes()
        #expect(bytes.count == chunk.pcapByteCount)
        #expect(Array(bytes.prefix(4)) == [0x4D, 0x3C, 0xB2, 0xA1])  // 0xa1b23c4d little-endian
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tapedeck-flows-\(UUID().uuidString).pcap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let reader = try PcapFileReader(path: path)
        #expect(reader.linkType == .linuxSLL)
        var expected: [Packet] = []
        chunk.packets.forEach { expected.append(Packet($0)) }
        var read: [Packet] = []
        while let record = try reader.next() { read.append(Packet(record)) }
        #expect(read == expected)
        #expect(read.count == chunk.packetCount)
        // Byte for byte what PcapWriter writes for the same packets.
        let writer = PcapWriter(sink: MemorySink(), linkType: chunk.packets.linkType, precision: .nanoseconds)
        try chunk.packets.forEach { try writer.write($0) }
        try writer.flush()
        #expect(bytes == writer.sink.bytes)
        #expect(chunk.originalByteCount == read.reduce(0) { $0 + Int($1.originalLength) })
    }

    @Test("every chunk's pcap is PcapWriter's bytes; a one-page chunk's pcap is that page unless it is less than half full",
          arguments: ["KakaoTalk_talk.pcap", "1kxun.pcap"])
    func pcapOfEveryChunk(_ name: String) throws {
        let tracker = FlowTracker()
        var log = EventLog()
        try tracker.processCapture(Fixtures.path(name), into: &log)
        var onePage = 0
        var copied = 0
        for chunk in log.chunks {
            let writer = PcapWriter(sink: MemorySink(), linkType: chunk.packets.linkType, precision: .nanoseconds)
            try chunk.packets.forEach { try writer.write($0) }
            try writer.flush()
            let bytes = chunk.pcapBytes()
            #expect(bytes == writer.sink.bytes, "chunk \(chunk.index) of flow \(chunk.flowID)")
            let again = chunk.pcapBytes()
            let shared = bytes.withUnsafeBufferPointer { $0.baseAddress } == again.withUnsafeBufferPointer { $0.baseAddress }
            if chunk.packets.pages.count == 1, chunk.packets.pages[0].count * 2 >= chunk.packets.lastPageSize {
                #expect(shared, "a one-page chunk's pcap was copied")
                onePage += 1
            } else {
                #expect(!shared)
                copied += 1
            }
        }
        #expect(onePage > 0 && copied > 0, "\(onePage) one-page chunks, \(copied) copied")
    }

    @Test("a one-page chunk less than half full is copied, so that a held pcap is not much bigger than its size")
    func sparseOnePageChunkIsCopied() throws {
        var factory = PacketFactory()
        var packets = [factory.tcp(fromClient: true, seq: 999, flags: PacketFactory.syn),
                       factory.tcp(fromClient: false, seq: 4999, ack: 1000, flags: PacketFactory.syn | PacketFactory.ack),
                       factory.tcp(fromClient: true, seq: 1000, ack: 5000, flags: PacketFactory.ack)]
        // 100 kB from the server: the flow is bulk, its next chunk starts with a 64 KiB page.
        for start in stride(from: 0, to: 100_000, by: 1000) {
            packets.append(factory.tcp(fromClient: false, seq: 5000 + UInt32(start), ack: 1000, flags: PacketFactory.ack,
                                       payload: [UInt8](repeating: 0x61, count: 1000)))
        }
        // Quiet past the idle chunk flush, then one small packet: a chunk of its own.
        factory.time += 11_000_000_000
        packets.append(factory.tcp(fromClient: true, seq: 1000, ack: 105_000, flags: PacketFactory.ack))
        let tracker = FlowTracker()
        var log = EventLog()
        tracker.process(packets, into: &log)
        tracker.flushAll(into: &log)
        let last = try #require(log.chunks.last)
        #expect(last.packetCount == 1)
        #expect(last.packets.pages.count == 1 && last.packets.pages[0].count * 2 < last.packets.lastPageSize)
        let bytes = last.pcapBytes()
        let again = last.pcapBytes()
        #expect(bytes.withUnsafeBufferPointer { $0.baseAddress } != again.withUnsafeBufferPointer { $0.baseAddress })
        #expect(bytes.count == last.pcapByteCount && bytes.capacity < last.packets.lastPageSize)
        let writer = PcapWriter(sink: MemorySink(), linkType: last.packets.linkType, precision: .nanoseconds)
        try last.packets.forEach { try writer.write($0) }
        try writer.flush()
        #expect(bytes == writer.sink.bytes)
    }
}
