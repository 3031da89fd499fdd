#if canImport(Glibc)
import Glibc
#endif
import TapedeckCore
import TapedeckPOSIX
import Testing
@testable import TapedeckStorage

/// Crash states are produced by putting a sealed store's files back into the state a crash at
/// that moment leaves (an `.active` file with a torn tail, a missing index, leftover temporary
/// files); the IntegrationTests kill a real process.
@Suite struct RecoveryTests {
    private func sealedStore(_ packets: [TestPacket]) throws -> TemporaryDirectory {
        let directory = TemporaryDirectory()
        var configuration = StoreWriter.Configuration()
        configuration.blockSize = 8 << 10
        try writeStore(packets, directory: directory.path, configuration: configuration)
        return directory
    }

    private func append(_ bytes: [UInt8], to path: String) throws {
        let descriptor = try FileDescriptor.open(path, [.writeOnly, .append])
        try descriptor.writeAll(bytes)
        try descriptor.close()
    }

    @Test func tornTailOfAnActiveSegmentIsCutAndTheRestKept() throws {
        let packets = sampleTraffic(count: 400)
        let directory = try sealedStore(packets)
        defer { directory.remove() }
        let files = SegmentFiles(directory: directory.path, id: 1)
        try FileSystem.unlink(files.indexPath)
        try FileSystem.rename(files.dataPath, to: files.activePath)
        let validLength = try FileSystem.fileSize(files.activePath)
        // Half a block header and garbage: what a crash in the middle of a write leaves.
        try append([0x54, 0x44, 0x42, 0x4B, 1, 2, 3, 4, 5, 6, 7], to: files.activePath)
        try FileSystem.writeAtomically(directory: directory.path, name: "junk", bytes: [1])
        try FileSystem.rename("\(directory.path)/junk", to: "\(directory.path)/.seg-0000000000000001.index.tmp")

        let writer = try StoreWriter(directory: directory.path, logger: testLogger)
        #expect(writer.recoveryReport.recovered.count == 1)
        #expect(writer.recoveryReport.recovered.first?.truncatedBytes == 11)
        #expect(writer.recoveryReport.recovered.first?.packets == 400)
        #expect(writer.recoveryReport.removedFiles == [".seg-0000000000000001.index.tmp"])
        // Recording continues in a new segment.
        let more = sampleTraffic(count: 10, seed: 9).map { packet -> TestPacket in
            var moved = packet
            moved.time += 10_000_000_000
            return moved
        }
        for packet in more { try packet.withRecord { try writer.append($0) } }
        try writer.close()

        #expect(try FileSystem.fileSize(files.dataPath) == validLength)
        #expect(try readAll(directory: directory.path) == packets + more)
        #expect(try StoreReader(directory: directory.path).sealedSegments.map(\.id) == [1, 2])
        #expect(try StoreVerifier.verify(directory: directory.path).problems.isEmpty)
    }

    @Test func aBlockWithABadChecksumEndsTheRecoveredData() throws {
        let packets = sampleTraffic(count: 400)
        let directory = try sealedStore(packets)
        defer { directory.remove() }
        let files = SegmentFiles(directory: directory.path, id: 1)
        let index = try SegmentIndex(path: files.indexPath)
        let lastBlock = index.block(index.blockCount - 1)
        var kept = 0
        let segment = try SegmentReader(sealed: SegmentFilesReference(directory: directory.path, id: 1))
        for number in 0..<index.blockCount - 1 { kept += Int(segment.block(number).packetCount) }
        try FileSystem.unlink(files.indexPath)
        try FileSystem.rename(files.dataPath, to: files.activePath)
        // Flip one payload byte of the last block.
        let descriptor = try FileDescriptor.open(files.activePath, .readWrite)
        let offset = lastBlock.offset + Int64(BlockHeader.size) + 5
        var byte = try descriptor.read(fromAbsoluteOffset: offset, count: 1)
        byte[0] ^= 0xFF
        try byte.withUnsafeBytes { try descriptor.writeAll(toAbsoluteOffset: offset, $0) }
        try descriptor.close()

        let writer = try StoreWriter(directory: directory.path, logger: testLogger)
        #expect(writer.recoveryReport.recovered.first?.reason == "block CRC-32C mismatch")
        #expect(writer.recoveryReport.recovered.first?.truncatedBytes == Int64(lastBlock.totalLength))
        try writer.close()
        #expect(try readAll(directory: directory.path) == Array(packets.prefix(kept)))
    }

    @Test func aMissingIndexIsRebuiltIdentically() throws {
        let directory = try sealedStore(sampleTraffic(count: 300))
        defer { directory.remove() }
        let files = SegmentFiles(directory: directory.path, id: 1)
        let original = try FileSystem.readWholeFile(files.indexPath)
        try FileSystem.unlink(files.indexPath)
        try StoreWriter(directory: directory.path, logger: testLogger).close()
        #expect(try FileSystem.readWholeFile(files.indexPath) == original)
    }

    @Test func aLostCatalogIsRebuiltFromTheIndexes() throws {
        let packets = sampleTraffic(count: 300)
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = StoreWriter.Configuration()
        configuration.segmentDuration = 100_000_000
        try writeStore(packets, directory: directory.path, configuration: configuration)
        let before = try StoreReader(directory: directory.path).sealedSegments
        try FileSystem.unlink("\(directory.path)/catalog")
        try StoreWriter(directory: directory.path, logger: testLogger).close()
        #expect(try StoreReader(directory: directory.path).sealedSegments == before)
        #expect(try readAll(directory: directory.path) == packets)
    }

    @Test func verificationFindsADamagedBlockAndADamagedIndex() throws {
        let directory = try sealedStore(sampleTraffic(count: 300))
        defer { directory.remove() }
        #expect(try StoreVerifier.verify(directory: directory.path).problems.isEmpty)
        let files = SegmentFiles(directory: directory.path, id: 1)
        for (path, offset) in [(files.dataPath, Int64(DataFileHeader.size + BlockHeader.size + 3)),
                               (files.indexPath, Int64(IndexFileLayout.headerSize + 1))] {
            let descriptor = try FileDescriptor.open(path, .readWrite)
            var byte = try descriptor.read(fromAbsoluteOffset: offset, count: 1)
            byte[0] ^= 0x01
            try byte.withUnsafeBytes { try descriptor.writeAll(toAbsoluteOffset: offset, $0) }
            try descriptor.close()
        }
        let report = try StoreVerifier.verify(directory: directory.path)
        #expect(report.problems.contains { $0.path == files.indexPath && $0.reason == "index CRC-32C mismatch" })
        #expect(report.problems.contains { $0.path == files.dataPath && $0.reason.contains("CRC-32C mismatch") })
    }
}
