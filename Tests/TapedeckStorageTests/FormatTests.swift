import TapedeckCore
import TapedeckPOSIX
import Testing
@testable import TapedeckStorage

@Suite struct FormatTests {
    @Test func crc32cMatchesTheStandardCheckValue() {
        let check = Array("123456789".utf8).withUnsafeBytes { CRC32C.checksum($0) }
        #expect(check == 0xE306_9283)
        // Incremental computation equals one pass, at every split point.
        let data = (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let whole = data.withUnsafeBytes { CRC32C.checksum($0) }
        for split in 0...data.count {
            let first = data[..<split].withUnsafeBytes { CRC32C.checksum($0) }
            #expect(data[split...].withUnsafeBytes { CRC32C.checksum($0, continuing: first) } == whole)
        }
    }

    @Test func segmentFileNamesRoundTrip() {
        let files = SegmentFiles(directory: "/s", id: 0x1F)
        #expect(files.dataPath == "/s/seg-000000000000001f.data")
        #expect(SegmentFiles.parse("seg-000000000000001f.index")! == (0x1F, .index))
        #expect(SegmentFiles.parse("seg-1f.data") == nil)
        #expect(SegmentFiles.parse("FORMAT.md") == nil)
    }

    @Test func blockSetAlgebra() {
        var a = BlockSet(capacity: 130)
        var b = BlockSet(capacity: 130)
        for number in [0, 63, 64, 129] { a.insert(number) }
        for number in [63, 100, 129] { b.insert(number) }
        var union = a
        union.formUnion(b)
        #expect(union.numbers == [0, 63, 64, 100, 129])
        a.formIntersection(b)
        #expect(a.numbers == [63, 129])
        #expect(BlockSet.all(capacity: 130).count == 130)
        #expect(BlockSet.all(capacity: 64).numbers == Array(0..<64))
        #expect(BlockSet(capacity: 0).isEmpty)
    }

    @Test func catalogRoundTripsAndRejectsDamage() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var catalog = Catalog()
        var totals = SegmentTotals()
        totals.earliest = 5
        totals.latest = 9
        totals.packets = 3
        catalog.sealed = [SegmentSummary(id: 4, totals: totals, dataBytes: 100, indexBytes: 10)]
        catalog.activeSegmentID = 5
        try catalog.write(directory: directory.path)
        #expect(try Catalog.load(directory: directory.path) == catalog)
        #expect(catalog.nextSegmentID == 6)
        var bytes = catalog.encoded()
        bytes[Catalog.headerSize + 3] ^= 1
        try FileSystem.writeAtomically(directory: directory.path, name: Catalog.fileName, bytes: bytes)
        #expect(throws: StorageError.self) { try Catalog.load(directory: directory.path) }
    }

    @Test func catalogKeepsTheHighestSegmentIDAndReadsVersion1() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var catalog = Catalog()
        catalog.sealed = [SegmentSummary(id: 7, totals: SegmentTotals(), dataBytes: 1, indexBytes: 1)]
        catalog.sealed.removeAll()  // retention deleted the last segment
        #expect(catalog.nextSegmentID == 8)
        try catalog.write(directory: directory.path)
        #expect(try Catalog.load(directory: directory.path).nextSegmentID == 8)

        // Version 1: no highest id at 80; the next id follows the segments there are.
        catalog.sealed = [SegmentSummary(id: 3, totals: SegmentTotals(), dataBytes: 1, indexBytes: 1)]
        var bytes = catalog.encoded()
        bytes.removeSubrange(80..<88)
        bytes[8] = 1
        let crc = bytes[32...].withUnsafeBytes { CRC32C.checksum($0) }
        withUnsafeBytes(of: crc.littleEndian) { bytes.replaceSubrange(24..<28, with: $0) }
        try FileSystem.writeAtomically(directory: directory.path, name: Catalog.fileName, bytes: bytes)
        let version1 = try Catalog.load(directory: directory.path)
        #expect(version1.sealed.map(\.id) == [3])
        #expect(version1.nextSegmentID == 4)
    }
}
