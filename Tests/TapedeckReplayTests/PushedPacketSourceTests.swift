import Synchronization
import TapedeckCore
import TapedeckReplay
import Testing

/// ``PushedPacketSource``: a producer thread's pushed packets come out in order and unchanged,
/// through a few small chunks; errors come after the packets before them; closing stops the producer.
@Suite struct PushedPacketSourceTests {
    /// The packet `index` of a test stream: its length varies from 0 to 3000 bytes.
    static func bytes(_ index: Int) -> [UInt8] {
        (0..<(index * 37 % 3001)).map { UInt8(truncatingIfNeeded: $0 ^ index) }
    }

    static func push(_ count: Int, into emitter: PushedPacketSource.Emitter) throws {
        for index in 0..<count {
            try bytes(index).withUnsafeBytes { raw in
                try emitter.emit(PacketRecord(timestamp: Timestamp(nanoseconds: Int64(index) * 1000 - 7),
                                              originalLength: UInt32(raw.count + index % 3),
                                              linkType: LinkType(rawValue: UInt32(index % 5)), bytes: raw))
            }
        }
    }

    @Test func packetsComeOutInOrderAndUnchangedThroughSmallChunks() throws {
        // 8 KiB chunks, 2 of them: the producer waits for the consumer over and over.
        let source = try PushedPacketSource(name: "pushed", chunkSize: 8 << 10, chunkCount: 2) { emitter in
            try Self.push(5000, into: emitter)
        }
        var index = 0
        while let record = try source.next() {
            #expect(Array(record.bytes) == Self.bytes(index))
            #expect(record.timestamp.nanoseconds == Int64(index) * 1000 - 7)
            #expect(record.originalLength == UInt32(record.bytes.count + index % 3))
            #expect(record.linkType.rawValue == UInt32(index % 5))
            index += 1
        }
        #expect(index == 5000)
        #expect(try source.next() == nil)
        source.close()
    }

    @Test func aPacketLargerThanAChunkGetsAChunkOfItsOwn() throws {
        let big = [UInt8](repeating: 0xAB, count: 100_000)
        let source = try PushedPacketSource(name: "big", chunkSize: 4096, chunkCount: 2) { emitter in
            try big.withUnsafeBytes { try emitter.emit(PacketRecord(timestamp: .init(nanoseconds: 1), originalLength: 100_000, linkType: .ethernet, bytes: $0)) }
            try Self.push(3, into: emitter)
        }
        #expect(try source.next().map { Array($0.bytes) } == big)
        for index in 0..<3 { #expect(try source.next().map { Array($0.bytes) } == Self.bytes(index)) }
        #expect(try source.next() == nil)
    }

    struct Broken: Error, CustomStringConvertible {
        var description: String { "the store went away" }
    }

    @Test func aProducerErrorComesAfterThePacketsBeforeIt() throws {
        let source = try PushedPacketSource(name: "query 'tcp'", chunkSize: 8 << 10, chunkCount: 2) { emitter in
            try Self.push(100, into: emitter)
            throw Broken()
        }
        var count = 0
        do {
            while try source.next() != nil { count += 1 }
            Issue.record("the producer's error was not thrown")
        } catch {
            #expect(error == .source(name: "query 'tcp'", reason: "the store went away"))
        }
        #expect(count == 100)
    }

    @Test func closingStopsAProducerThatWaitsForRoom() throws {
        let stopped = Atomic<Bool>(false)
        let source = try PushedPacketSource(name: "endless", chunkSize: 4096, chunkCount: 2) { emitter in
            defer { stopped.store(true, ordering: .releasing) }
            while true { try Self.push(100, into: emitter) }
        }
        _ = try source.next()
        source.close()
        let hasStopped = stopped.load(ordering: .acquiring)
        #expect(hasStopped, "close() returned before the producer stopped")
    }
}
