import TapedeckPOSIX

/// Checks a store end to end: every block's CRC, every index against an index rebuilt from the
/// data file (so every entry and every block-table row is checked), and the catalog against
/// the index headers.
public enum StoreVerifier {
    /// One problem found.
    public struct Problem: Equatable, Sendable, CustomStringConvertible {
        /// The file concerned.
        public var path: String
        /// What is wrong.
        public var reason: String

        public var description: String { "\(path): \(reason)" }
    }

    /// What verification found.
    public struct Report: Equatable, Sendable {
        /// Segments checked.
        public var segments = 0
        /// Blocks whose CRC was checked.
        public var blocks = 0
        /// Packets decoded.
        public var packets: UInt64 = 0
        /// Everything found wrong; empty for a healthy store.
        public var problems: [Problem] = []
    }

    /// Verifies the sealed segments of the store at `directory` (reading every byte of them).
    public static func verify(directory: String) throws(StorageError) -> Report {
        let reader = try StoreReader(directory: directory)
        var report = Report()
        for summary in reader.sealedSegments {
            let files = SegmentFiles(directory: directory, id: summary.id)
            report.segments += 1
            do {
                try verifySegment(files, summary: summary, report: &report)
            } catch {
                report.problems.append(Problem(path: files.dataPath, reason: "\(error)"))
            }
        }
        return report
    }

    private static func verifySegment(_ files: SegmentFiles, summary: SegmentSummary, report: inout Report) throws {
        let index = try SegmentIndex(path: files.indexPath)
        if !index.verify() {
            report.problems.append(Problem(path: files.indexPath, reason: "index CRC-32C mismatch"))
        }
        let descriptor = try FileDescriptor.open(files.dataPath, .readOnly)
        defer { try? descriptor.close() }
        let length = try descriptor.size()
        var scanner = BlockScanner(descriptor: descriptor, path: files.dataPath, fileLength: length)
        let header = try scanner.readFileHeader()
        if header.segmentID != summary.id {
            report.problems.append(Problem(path: files.dataPath, reason: "data file says segment \(header.segmentID)"))
        }
        var rebuilt = SegmentIndexBuilder()
        var scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 0, alignment: 16)
        defer { scratch.deallocate() }
        while let (blockHeader, offset, stored) = try scanner.next() {
            report.blocks += 1
            report.packets += UInt64(blockHeader.packetCount)
            let payload = try BlockCodec.decode(blockHeader, stored: stored, scratch: &scratch)
            try rebuilt.addBlock(BlockInfo(header: blockHeader, offset: offset), payload: payload)
        }
        if let reason = scanner.stopReason {
            report.problems.append(Problem(path: files.dataPath, reason: "\(reason) at byte \(scanner.offset)"))
        }
        let expected = rebuilt.serialize(segmentID: summary.id, dataLength: scanner.offset)
        let actual = try FileSystem.readWholeFile(files.indexPath)
        if expected != actual {
            report.problems.append(Problem(path: files.indexPath, reason: "index differs from one rebuilt from the data file"))
        }
        if UInt64(length) != summary.dataBytes || rebuilt.totals.packets != summary.packets
            || UInt64(actual.count) != summary.indexBytes {
            report.problems.append(Problem(path: "\(files.directory)/\(Catalog.fileName)",
                                           reason: "catalog entry for \(files.name) does not match its files"))
        }
    }
}
