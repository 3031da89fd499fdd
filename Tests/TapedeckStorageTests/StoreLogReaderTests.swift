import TapedeckCore
import TapedeckPOSIX
import Testing
@testable import TapedeckStorage

/// The store read as a write-ahead log: every packet once and in stored order, from any position,
/// following the active segment while it grows and across seals; segments retention deleted
/// before the reader got to them are reported and skipped.
@Suite struct StoreLogReaderTests {
    /// A packet and the position the reader gave it.
    private struct Read: Equatable {
        var packet: TestPacket
        var position: StoreLogPosition
    }

    /// Stops a read at a chosen packet.
    private struct Stop: Error {}

    /// Everything `reader` can read now, and the outcome.
    private func readAvailable(_ reader: StoreLogReader) throws -> ([Read], StoreLogReader.ReadOutcome) {
        var reads: [Read] = []
        let outcome = try reader.readAvailable { record, position in
            reads.append(Read(packet: TestPacket(record), position: position))
        }
        #expect(outcome.packets == reads.count)
        return (reads, outcome)
    }

    /// Positions are consecutive within a segment, from 0 in each new segment, and increasing.
    private func expectLogOrder(_ positions: [StoreLogPosition], sourceLocation: SourceLocation = #_sourceLocation) {
        for (previous, next) in zip(positions, positions.dropFirst()) {
            #expect(previous < next, sourceLocation: sourceLocation)
            if next.segment == previous.segment {
                #expect(next.packet == previous.packet + 1, sourceLocation: sourceLocation)
            } else {
                #expect(next.packet == 0, sourceLocation: sourceLocation)
            }
        }
    }

    /// Small blocks and 1 s segments: many blocks per segment and several segments.
    private func smallSegments() -> StoreWriter.Configuration {
        var configuration = StoreWriter.Configuration()
        configuration.blockSize = 16 << 10
        configuration.segmentDuration = 1_000_000_000
        return configuration
    }

    @Test func readsEveryPacketOnceInStoredOrder() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let packets = sampleTraffic(count: 6_000, step: 1_000_000)  // 6 s: 6 segments
        try writeStore(packets, directory: directory.path, configuration: smallSegments())
        let store = try StoreReader(directory: directory.path)
        #expect(store.sealedSegments.count >= 6)

        let reader = StoreLogReader(directory: directory.path)
        let (reads, outcome) = try readAvailable(reader)
        #expect(outcome.skippedSegments.isEmpty)
        #expect(reads.map(\.packet) == packets)
        #expect(reads.map(\.packet) == (try readAll(directory: directory.path)))
        expectLogOrder(reads.map(\.position))
        #expect(Set(reads.map(\.position.segment)) == Set(store.sealedSegments.map(\.id)))
        for segment in store.sealedSegments {
            #expect(reads.filter { $0.position.segment == segment.id }.count == Int(segment.packets))
        }
        // The reader is past the last segment; nothing more to read.
        #expect(reader.position == StoreLogPosition(segment: store.sealedSegments.last!.id + 1, packet: 0))
        let (again, againOutcome) = try readAvailable(reader)
        #expect(again.isEmpty)
        #expect(againOutcome == StoreLogReader.ReadOutcome())
    }

    @Test func thePositionAfterASealedSegmentsLastPacketIsTheNextSegmentsStart() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try writeStore(sampleTraffic(count: 3_000, step: 1_000_000), directory: directory.path, configuration: smallSegments())
        let packets = Dictionary(uniqueKeysWithValues: try StoreReader(directory: directory.path).sealedSegments.map { ($0.id, $0.packets) })
        #expect(packets.count >= 3)
        let reader = StoreLogReader(directory: directory.path)
        var pairs: [(StoreLogPosition, StoreLogPosition)] = []
        _ = try reader.readAvailable { _, position in pairs.append((position, reader.position(after: position))) }
        #expect(pairs.count == 3_000)
        for (position, after) in pairs {
            let isLast = position.packet == packets[position.segment]! - 1
            #expect(after == (isLast ? StoreLogPosition(segment: position.segment + 1, packet: 0)
                                     : StoreLogPosition(segment: position.segment, packet: position.packet + 1)))
        }
    }

    @Test func resumingFromAPositionReadsExactlyTheRest() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let packets = sampleTraffic(count: 4_000, step: 1_000_000, seed: 3)
        try writeStore(packets, directory: directory.path, configuration: smallSegments())
        let all = try readAvailable(StoreLogReader(directory: directory.path)).0
        #expect(all.map(\.packet) == packets)

        // The first packet, the second, the middle, the first and last packets of a segment
        // (and of blocks inside it), the last packet.
        let firstOfSecondSegment = all.firstIndex { $0.position.segment != all[0].position.segment }!
        var starts = [0, 1, all.count / 2, firstOfSecondSegment, firstOfSecondSegment - 1, all.count - 1]
        starts += stride(from: 37, to: all.count, by: 311)
        for start in starts {
            let reader = StoreLogReader(directory: directory.path, from: all[start].position)
            let (rest, outcome) = try readAvailable(reader)
            #expect(outcome.skippedSegments.isEmpty)
            #expect(rest == Array(all[start...]), "from \(all[start].position)")
        }
        // A segment's end (packet == its packet count) is the start of the next segment.
        let endOfFirst = StoreLogPosition(segment: all[0].position.segment, packet: UInt64(firstOfSecondSegment))
        #expect(try readAvailable(StoreLogReader(directory: directory.path, from: endOfFirst)).0
                == Array(all[firstOfSecondSegment...]))
        // Past the end: nothing.
        let end = StoreLogPosition(segment: all.last!.position.segment + 1, packet: 0)
        let (nothing, outcome) = try readAvailable(StoreLogReader(directory: directory.path, from: end))
        #expect(nothing.isEmpty)
        #expect(outcome.skippedSegments.isEmpty)
    }

    @Test func followsTheActiveSegmentAcrossFlushesSealsAndRotations() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let packets = sampleTraffic(count: 5_000, step: 1_000_000, seed: 5)  // 5 s of 1 s segments
        let writer = try StoreWriter(directory: directory.path, configuration: smallSegments(), logger: testLogger)
        let reader = StoreLogReader(directory: directory.path)
        var reads: [Read] = []
        // Batches of different sizes: some end inside a block, some cross a rotation (time) and
        // one is followed by an explicit seal.
        var batches = [1, 2, 150, 700, 333, 1_000, 17, 900]
        batches.append(packets.count - batches.reduce(0, +))
        var appended = 0
        for (number, size) in batches.enumerated() {
            for packet in packets[appended..<(appended + size)] { try packet.withRecord { try writer.append($0) } }
            appended += size
            if number == 4 { writer.sealSegment() }
            try writer.flush()
            let (batch, outcome) = try readAvailable(reader)
            #expect(outcome.skippedSegments.isEmpty)
            // Everything flushed, nothing twice.
            #expect(batch.map(\.packet) == Array(packets[(appended - size)..<appended]), "batch \(number)")
            reads += batch
            // Nothing more until more is appended.
            #expect(try readAvailable(reader).0.isEmpty)
        }
        let segmentsWhileActive = Set(reads.map(\.position.segment))
        try writer.close()
        // Sealing the last (active) segment adds nothing new to read.
        let (afterClose, closeOutcome) = try readAvailable(reader)
        #expect(afterClose.isEmpty)
        #expect(closeOutcome.skippedSegments.isEmpty)
        #expect(reads.map(\.packet) == packets)
        expectLogOrder(reads.map(\.position))
        #expect(segmentsWhileActive.count >= 6)  // five rotations by time plus the explicit seal
        // The positions read while following are the positions of the sealed store.
        #expect(try readAvailable(StoreLogReader(directory: directory.path)).0 == reads)
    }

    @Test func aReaderAtTheActiveSegmentsEndContinuesAfterTheWriterReopensTheStore() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let packets = sampleTraffic(count: 2_000, step: 1_000_000, seed: 9)
        var configuration = smallSegments()
        configuration.segmentDuration = 60_000_000_000
        let reader = StoreLogReader(directory: directory.path)
        var reads: [Read] = []
        for half in [packets[..<1_000], packets[1_000...]] {
            let writer = try StoreWriter(directory: directory.path, configuration: configuration, logger: testLogger)
            for packet in half { try packet.withRecord { try writer.append($0) } }
            try writer.flush()
            reads += try readAvailable(reader).0
            try writer.close()
            reads += try readAvailable(reader).0
        }
        #expect(reads.map(\.packet) == packets)
        expectLogOrder(reads.map(\.position))
        #expect(Set(reads.map(\.position.segment)).count == 2)
    }

    @Test func segmentsDeletedBeforeTheyWereReadAreReportedAndReadingContinuesAfterThem() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let packets = sampleTraffic(count: 12_000, step: 1_000_000, seed: 11)  // 12 s of 1 s segments
        var configuration = smallSegments()
        configuration.retention.maximumAge = 2_500_000_000
        let writer = try StoreWriter(directory: directory.path, configuration: configuration, logger: testLogger)
        for packet in packets[..<2_500] { try packet.withRecord { try writer.append($0) } }
        try writer.flush()

        // Read into the middle of the first segment, then stop.
        let reader = StoreLogReader(directory: directory.path)
        var reads: [Read] = []
        #expect(throws: Stop.self) {
            _ = try reader.readAvailable { record, position in
                if reads.count == 300 { throw Stop() }
                reads.append(Read(packet: TestPacket(record), position: position))
            }
        }
        #expect(reads.map(\.packet) == Array(packets[..<300]))
        #expect(reader.position == StoreLogPosition(segment: reads[0].position.segment, packet: 300))
        let firstSegment = reads[0].position.segment

        // 9.5 s more: retention deletes the segment being read and the next ones.
        for packet in packets[2_500...] { try packet.withRecord { try writer.append($0) } }
        try writer.flush()
        let store = try StoreReader(directory: directory.path)
        let oldestKept = store.sealedSegments.first!.id
        #expect(oldestKept > firstSegment + 1)
        #expect(store.deleted.segments == oldestKept - firstSegment)

        let (rest, outcome) = try readAvailable(reader)
        #expect(outcome.skippedSegments == Array(firstSegment..<oldestKept))
        // Reading continues at the first packet of the oldest segment there is, and gets
        // everything from there.
        #expect(rest.first?.position == StoreLogPosition(segment: oldestKept, packet: 0))
        let kept = packets.count - Int(store.deleted.packets)
        #expect(rest.map(\.packet) == Array(packets.suffix(kept)))
        expectLogOrder(rest.map(\.position))
        try writer.close()
        #expect(try readAvailable(reader).1.skippedSegments.isEmpty)
    }

    @Test func aReaderStartingOnAStoreWhoseOldestSegmentsWereDeletedReportsThem() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let packets = sampleTraffic(count: 8_000, step: 1_000_000, seed: 13)
        var configuration = smallSegments()
        configuration.retention.maximumAge = 2_500_000_000
        try writeStore(packets, directory: directory.path, configuration: configuration)
        let store = try StoreReader(directory: directory.path)
        let oldestKept = store.sealedSegments.first!.id
        #expect(store.deleted.segments > 0)
        #expect(oldestKept == store.deleted.segments + 1)  // ids start at 1

        // Retention deleted segments 1..<oldestKept before this reader (the first one) got to
        // them: they are lost to it, and it says so.
        let (reads, outcome) = try readAvailable(StoreLogReader(directory: directory.path))
        #expect(outcome.skippedSegments == Array(1..<oldestKept))
        #expect(reads.map(\.packet) == Array(packets.suffix(reads.count)))
        #expect(UInt64(reads.count) + store.deleted.packets == UInt64(packets.count))
    }

    /// Segment ids are never reused, even when retention deleted every segment: otherwise a reader
    /// (the flow publisher, from its checkpoint) positioned after the old ids would never read the
    /// new segments, a silent loss (the catalog keeps the highest id ever used).
    @Test func segmentIdsAreNotReusedAfterRetentionEmptiedTheStore() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let packets = sampleTraffic(count: 3_000, step: 1_000_000, seed: 17)
        try writeStore(Array(packets[..<1_000]), directory: directory.path, configuration: smallSegments())
        let reader = StoreLogReader(directory: directory.path)
        var reads = try readAvailable(reader).0
        let firstIDs = Set(reads.map(\.position.segment))
        // Everything the second writer seals is deleted at once (no free space may be used).
        var emptying = smallSegments()
        emptying.retention.minimumFree = .percent(100)
        try writeStore(Array(packets[1_000..<2_000]), directory: directory.path, configuration: emptying)
        #expect(try StoreReader(directory: directory.path).sealedSegments.isEmpty)
        try writeStore(Array(packets[2_000...]), directory: directory.path, configuration: smallSegments())

        let (rest, outcome) = try readAvailable(reader)
        reads += rest
        #expect(rest.map(\.packet) == Array(packets[2_000...]))
        #expect(!outcome.skippedSegments.isEmpty)
        #expect(Set(rest.map(\.position.segment)).isDisjoint(with: firstIDs))
    }
}
