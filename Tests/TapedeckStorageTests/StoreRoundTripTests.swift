import TapedeckCore
import Testing
@testable import TapedeckStorage

@Suite struct StoreRoundTripTests {
    @Test func packetsComeBackExactlyAcrossSegmentsAndBlocks() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = StoreWriter.Configuration()
        configuration.blockSize = 16 << 10
        configuration.segmentDuration = 500_000_000
        let packets = sampleTraffic(count: 3000)
        try writeStore(packets, directory: directory.path, configuration: configuration)

        #expect(try readAll(directory: directory.path) == packets)
        let segments = try StoreReader(directory: directory.path).sealedSegments
        // 3 s of packets in segments under 0.5 s, cut at block boundaries.
        #expect(segments.count >= 6 && segments.count <= 8)
        #expect(segments.map(\.packets).reduce(0, +) == 3000)
        for segment in segments {
            #expect(segment.latest.nanoseconds - segment.earliest.nanoseconds < 500_000_000)
        }
        #expect(segments.map(\.id) == Array(1...UInt64(segments.count)))
    }

    @Test func segmentsRotateBySize() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = StoreWriter.Configuration()
        configuration.blockSize = 8 << 10
        configuration.segmentMaxBytes = 100 << 10
        let packets = sampleTraffic(count: 1000)
        try writeStore(packets, directory: directory.path, configuration: configuration)
        let segments = try StoreReader(directory: directory.path).sealedSegments
        let payload = packets.reduce(0) { $0 + $1.bytes.count + 16 }
        #expect(segments.count == (payload + (100 << 10) - 1) / (100 << 10) || segments.count == payload / (100 << 10) + 1)
        for segment in segments {
            #expect(segment.capturedBytes + segment.packets * 16 <= 100 << 10)
        }
        #expect(try readAll(directory: directory.path) == packets)
    }

    @Test func timestampsGoingBackwardsAndOddMetadataArePreserved() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var packets = sampleTraffic(count: 200)
        packets[10].time -= 5_000_000_000
        packets[11].time = -1_234_567_891  // before the epoch
        packets[12].originalLength = 65535  // truncated capture
        packets[13].bytes = []  // zero-length capture
        packets[14].linkType = .linuxSLL
        packets[15].linkType = .null
        try writeStore(packets, directory: directory.path, configuration: StoreWriter.Configuration())
        #expect(try readAll(directory: directory.path) == packets)
    }

    @Test func blocksHoldOneLinkTypeEach() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var packets = sampleTraffic(count: 100)
        for index in stride(from: 0, to: 100, by: 3) { packets[index].linkType = .raw }
        try writeStore(packets, directory: directory.path, configuration: StoreWriter.Configuration())
        let segment = try #require(try StoreReader(directory: directory.path).openSegments(overlapping: .all).first)
        for number in 0..<segment.blockCount {
            let linkType = segment.block(number).linkType
            try segment.forEachPacket(inBlock: number) { record in
                #expect(record.linkType == linkType)
                return true
            }
        }
        #expect(try readAll(directory: directory.path) == packets)
    }

    @Test func oversizedPacketIsRejectedAndWriterKeepsWorking() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let writer = try StoreWriter(directory: directory.path, logger: testLogger)
        let huge = TestPacket(time: 1, bytes: Array(repeating: 0, count: BlockBuffer.maxPacketLength + 1))
        #expect(throws: StorageError.self) { try huge.withRecord { try writer.append($0) } }
        let small = TestPacket(time: 2, bytes: [1, 2, 3])
        try small.withRecord { try writer.append($0) }
        try writer.close()
        #expect(try readAll(directory: directory.path) == [small])
    }

    @Test func flushedPacketsAreReadableBeforeTheSegmentIsSealed() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let writer = try StoreWriter(directory: directory.path, logger: testLogger)
        let packets = sampleTraffic(count: 50)
        for packet in packets { try packet.withRecord { try writer.append($0) } }
        try writer.flush()
        let reader = try StoreReader(directory: directory.path)
        #expect(reader.sealedSegments.isEmpty)
        #expect(reader.activeSegmentID == 1)
        let segments = try reader.openSegments(overlapping: .all)
        #expect(segments.count == 1 && segments[0].isActive)
        #expect(try readAll(directory: directory.path) == packets)
        try writer.close()
        #expect(try StoreReader(directory: directory.path).activeSegmentID == nil)
        #expect(try readAll(directory: directory.path) == packets)
    }

    @Test func aSecondWriterIsRefusedWhileTheFirstHoldsTheLock() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let first = try StoreWriter(directory: directory.path, logger: testLogger)
        #expect {
            _ = try StoreWriter(directory: directory.path, logger: testLogger)
        } throws: { error in
            guard case StorageError.locked = error else { return false }
            return true
        }
        try first.close()
    }

    @Test func readingADirectoryThatIsNotAStoreSaysSo() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        #expect {
            _ = try StoreReader(directory: directory.path)
        } throws: { error in
            guard case StorageError.notAStore = error else { return false }
            return true
        }
    }
}
