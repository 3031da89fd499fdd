#if canImport(Glibc)
import Glibc
#endif
import TapedeckCore
import TapedeckPOSIX
import Testing
@testable import TapedeckStorage

@Suite struct RetentionTests {
    /// Bytes of the store's segment files on disk right now.
    private func storeBytes(_ directory: String) throws -> Int64 {
        try FileSystem.contentsOfDirectory(directory)
            .filter { SegmentFiles.parse($0) != nil }
            .reduce(0) { $0 + (try FileSystem.fileSize("\(directory)/\($1)")) }
    }

    @Test func aDiskBudgetKeepsTheNewestDataAndNeverExceedsBudgetPlusOneSegment() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let budget: Int64 = 8 << 20
        var configuration = StoreWriter.Configuration()
        configuration.blockSize = 16 << 10
        configuration.retention.diskBudget = .bytes(budget)
        let writer = try StoreWriter(directory: directory.path, configuration: configuration, logger: testLogger)
        // ~42 MiB of packets with random (incompressible) payloads.
        var generator = SeededGenerator(state: 7)
        let packets = sampleTraffic(count: 60_000).map { packet -> TestPacket in
            var randomised = packet
            for index in 54..<randomised.bytes.count { randomised.bytes[index] = UInt8.random(in: 0...255, using: &generator) }
            return randomised
        }
        let segmentLimit = budget / 8
        for (index, packet) in packets.enumerated() {
            try packet.withRecord { try writer.append($0) }
            if index % 2000 == 1999 {
                try writer.flush()
                #expect(try storeBytes(directory.path) <= budget + segmentLimit + (1 << 20))
            }
        }
        try writer.close()
        #expect(try storeBytes(directory.path) <= budget)
        let reader = try StoreReader(directory: directory.path)
        #expect(reader.deleted.segments > 0)
        let kept = try readAll(directory: directory.path)
        #expect(UInt64(kept.count) + reader.deleted.packets == UInt64(packets.count))
        // What is kept is exactly the newest packets.
        #expect(kept == Array(packets.suffix(kept.count)))
        #expect(try StoreVerifier.verify(directory: directory.path).problems.isEmpty)
    }

    @Test func aMaximumAgeDeletesSegmentsOlderThanTheNewestPacketMinusTheAge() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = StoreWriter.Configuration()
        configuration.segmentDuration = 1_000_000_000
        configuration.retention.maximumAge = 3_000_000_000
        let packets = sampleTraffic(count: 10_000, step: 1_000_000)  // 10 s, 1 s segments
        try writeStore(packets, directory: directory.path, configuration: configuration)
        let reader = try StoreReader(directory: directory.path)
        let cutoff = packets.last!.time - 3_000_000_000
        for segment in reader.sealedSegments {
            #expect(segment.latest.nanoseconds >= cutoff)
        }
        // What is kept is the newest packets; the packet before them was in a deleted segment,
        // all of whose packets are older than the cutoff.
        let kept = try readAll(directory: directory.path)
        #expect(kept == Array(packets.suffix(kept.count)))
        #expect(packets[packets.count - kept.count - 1].time < cutoff)
        #expect(kept.first!.time < cutoff + 1_000_000_000)
    }

    @Test func theStrictestLimitWins() {
        var policy = RetentionPolicy(diskBudget: .bytes(100), minimumFree: .percent(10))
        // 1000-byte file system, 500 free, store holds 300: min-free allows 300 + 500 - 100 = 700; budget 100.
        #expect(policy.allowedStoreBytes(fileSystemTotal: 1000, fileSystemAvailable: 500, storeBytes: 300) == 100)
        policy.diskBudget = .percent(90)
        #expect(policy.allowedStoreBytes(fileSystemTotal: 1000, fileSystemAvailable: 500, storeBytes: 300) == 700)
        policy.minimumFree = .bytes(950)
        #expect(policy.allowedStoreBytes(fileSystemTotal: 1000, fileSystemAvailable: 500, storeBytes: 300) == 0)
        #expect(RetentionPolicy().allowedStoreBytes(fileSystemTotal: 1, fileSystemAvailable: 1, storeBytes: 1) == nil)
    }

    @Test(arguments: [
        ("500GiB", RetentionPolicy.Amount.bytes(500 << 30)), ("2TB", .bytes(2_000_000_000_000)),
        ("1048576", .bytes(1_048_576)), ("80%", .percent(80)), ("1.5 MiB", .bytes(1_572_864)), ("10k", .bytes(10_240)),
    ])
    func amountsParse(text: String, amount: RetentionPolicy.Amount) {
        #expect(RetentionPolicy.Amount(text) == amount)
    }

    @Test(arguments: ["", "abc", "12 parsecs", "101%", "-5GiB", "%"])
    func badAmountsAreRejected(text: String) {
        #expect(RetentionPolicy.Amount(text) == nil)
    }

    @Test func queriesRunningWhileRetentionDeletesSeeWholeSegmentsInOrder() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = StoreWriter.Configuration()
        configuration.blockSize = 8 << 10
        configuration.segmentDuration = 200_000_000
        configuration.retention.maximumAge = 1_000_000_000
        configuration.retentionInterval = 0
        let packets = sampleTraffic(count: 20_000, step: 500_000)  // 10 s of packets
        let writer = try StoreWriter(directory: directory.path, configuration: configuration, logger: testLogger)
        var checked = 0
        for (index, packet) in packets.enumerated() {
            try packet.withRecord { try writer.append($0) }
            guard index % 500 == 499 else { continue }
            try writer.flush()
            // A reader that has opened its segments keeps them even as retention deletes them.
            let reader = try StoreReader(directory: directory.path)
            let segments = try reader.openSegments(overlapping: .all).filter { !$0.isActive }
            writer.sealSegment()
            try writer.flush()
            var seen: [TestPacket] = []
            for segment in segments {
                for block in 0..<segment.blockCount {
                    try segment.forEachPacket(inBlock: block) { seen.append(TestPacket($0)); return true }
                }
            }
            let expected = reader.sealedSegments.filter { summary in segments.contains { $0.id == summary.id } }
            #expect(seen.count == expected.reduce(0) { $0 + Int($1.packets) })
            #expect(seen == seen.sorted { $0.time < $1.time })
            checked += 1
        }
        try writer.close()
        #expect(checked == 40)
        #expect(try StoreReader(directory: directory.path).deleted.segments > 0)
    }

    @Test func theReportComputesRatesAndProjectionsFromSegmentTimes() {
        func segment(_ id: UInt64, from start: Int64, to end: Int64, stored: UInt64) -> SegmentSummary {
            var totals = SegmentTotals()
            totals.earliest = start * 1_000_000_000
            totals.latest = end * 1_000_000_000
            totals.packets = 10
            totals.capturedBytes = stored * 2
            totals.originalBytes = stored * 2
            return SegmentSummary(id: id, totals: totals, dataBytes: stored - 100, indexBytes: 100)
        }
        // Two hours of packets: 3600 s at 1000 B/s, then 3600 s at 3000 B/s (in 60 s segments).
        var segments: [SegmentSummary] = []
        for minute in 0..<120 {
            let start = Int64(minute * 60)
            segments.append(segment(UInt64(minute + 1), from: start, to: start + 60, stored: minute < 60 ? 60_000 : 180_000))
        }
        let report = RetentionReport(segments: segments, deleted: DeletionTotals(segments: 3), budget: 36_000_000,
                                     targetNanoseconds: 10_000 * 1_000_000_000)
        #expect(report.windowSeconds == 7200)
        #expect(report.rateLastHour == 3000)
        #expect(report.rateLastDay == 2000)  // the day is longer than the window: the window's rate
        #expect(report.rateWindow == 2000)
        #expect(report.budgetWindowSeconds == 18_000)  // 36 MB at 2000 B/s
        #expect(report.targetBudgetBytes == 20_000_000)  // 10,000 s at 2000 B/s
        #expect(report.dataBytes + report.indexBytes == 60 * 60_000 + 60 * 180_000)
        #expect(report.compressionRatio == Double(report.capturedBytes) / Double(report.dataBytes))
        #expect(report.deleted.segments == 3)
        let empty = RetentionReport(segments: [], deleted: DeletionTotals())
        #expect(empty.rateLastDay == nil && empty.budgetWindowSeconds == nil && empty.oldest == nil)
    }
}

@Suite struct UnacknowledgedRetentionTests {
    private func store(maximumAge: Int64?, budget: Int64?, firstUnacknowledged: UInt64) throws -> (TemporaryDirectory, [TestPacket]) {
        let directory = TemporaryDirectory()
        var configuration = StoreWriter.Configuration()
        configuration.segmentDuration = 1_000_000_000
        configuration.retention.maximumAge = maximumAge
        configuration.retention.diskBudget = budget.map { .bytes($0) }
        configuration.firstUnacknowledgedSegment = { firstUnacknowledged }
        var generator = SeededGenerator(state: 3)
        let packets = sampleTraffic(count: 10_000, step: 1_000_000).map { packet -> TestPacket in
            var randomised = packet
            for index in 54..<randomised.bytes.count { randomised.bytes[index] = UInt8.random(in: 0...255, using: &generator) }
            return randomised
        }
        try writeStore(packets, directory: directory.path, configuration: configuration)
        return (directory, packets)
    }

    @Test func ageDoesNotDeleteWhatAConsumerHasNotAcknowledged() throws {
        // 10 one-second segments; the consumer has acknowledged segments 1 and 2 only.
        let (directory, _) = try store(maximumAge: 3_000_000_000, budget: nil, firstUnacknowledged: 3)
        defer { directory.remove() }
        let reader = try StoreReader(directory: directory.path)
        #expect(reader.sealedSegments.first?.id == 3)
        #expect(reader.deleted.segments == 2)
        #expect(reader.deleted.unacknowledgedSegments == 0)
    }

    @Test func aBudgetDeletesUnacknowledgedSegmentsAndCountsTheLoss() throws {
        let (directory, _) = try store(maximumAge: nil, budget: 2 << 20, firstUnacknowledged: 3)
        defer { directory.remove() }
        let reader = try StoreReader(directory: directory.path)
        #expect(reader.deleted.segments > 2)
        #expect(reader.deleted.unacknowledgedSegments == reader.deleted.segments - 2)
        #expect(reader.deleted.unacknowledgedPackets > 0)
    }
}
