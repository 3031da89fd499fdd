import Logging
import TapedeckCore
import TapedeckPOSIX

/// What opening a store for writing found and repaired.
public struct RecoveryReport: Equatable, Sendable {
    /// A segment completed after an interruption.
    public struct RecoveredSegment: Equatable, Sendable {
        public var id: UInt64
        /// Bytes cut from the end of the data file (a block torn by a crash).
        public var truncatedBytes: Int64
        /// Why the cut was made, if bytes were cut.
        public var reason: String?
        /// Packets kept.
        public var packets: UInt64
    }

    /// Segments that were `.active` (recording was interrupted) or lacked an index.
    public var recovered: [RecoveredSegment] = []
    /// Leftover temporary or orphaned files that were removed.
    public var removedFiles: [String] = []

    public init() {}
}

/// Brings a store directory to a consistent state before a writer uses it: completes interrupted
/// segments, rebuilds missing indexes, removes temporary files, and rewrites the catalog.
enum StoreRecovery {
    static func recover(directory: String, logger: Logger) throws(StorageError) -> (Catalog, RecoveryReport) {
        var report = RecoveryReport()
        let names: [String]
        do { names = try FileSystem.contentsOfDirectory(directory) } catch { throw .system(error) }
        var kinds: [UInt64: Set<SegmentFiles.Kind>] = [:]
        for name in names {
            if name.hasPrefix("."), name.hasSuffix(".tmp") {
                do { try FileSystem.unlink("\(directory)/\(name)") } catch { throw .system(error) }
                report.removedFiles.append(name)
            } else if let (id, kind) = SegmentFiles.parse(name) {
                kinds[id, default: []].insert(kind)
            }
        }
        let previous = try? Catalog.load(directory: directory)
        let known = Dictionary((previous?.sealed ?? []).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var catalog = Catalog()
        catalog.deleted = previous?.deleted ?? DeletionTotals()
        catalog.highestSegmentID = previous?.highestSegmentID ?? 0
        for id in kinds.keys.sorted() {
            let files = SegmentFiles(directory: directory, id: id)
            let present = kinds[id]!
            do {
                if present.contains(.active) || (present.contains(.data) && !present.contains(.index)) {
                    let isActive = present.contains(.active)
                    if present.contains(.index) { try FileSystem.unlink(files.indexPath) }
                    let writer = try SegmentWriter(recovering: files, path: isActive ? files.activePath : files.dataPath,
                                                   isActive: isActive)
                    let summary = try writer.seal()
                    catalog.sealed.append(summary)
                    let recovered = RecoveryReport.RecoveredSegment(
                        id: id, truncatedBytes: writer.truncatedBytes, reason: writer.stopReason.map { "\($0)" },
                        packets: summary.packets)
                    report.recovered.append(recovered)
                    logger.warning("recovered interrupted segment", metadata: [
                        "segment": "\(files.name)", "packets": "\(summary.packets)",
                        "truncated_bytes": "\(writer.truncatedBytes)",
                        "reason": "\(writer.stopReason.map { "\($0)" } ?? (isActive ? "was recording" : "index missing"))",
                    ])
                } else if present.contains(.data) {
                    if let summary = known[id] {
                        catalog.sealed.append(summary)
                    } else {
                        let index = try SegmentIndex(path: files.indexPath)
                        catalog.sealed.append(SegmentSummary(
                            id: id, totals: index.totals, dataBytes: UInt64(index.dataLength),
                            indexBytes: UInt64(index.fileLength)))
                    }
                } else {
                    try FileSystem.unlink(files.indexPath)
                    report.removedFiles.append("\(files.name).index")
                }
            } catch let error as Errno {
                throw .system(error)
            } catch let error as StorageError {
                throw error
            } catch {
                throw .corrupt(path: files.dataPath, offset: 0, reason: "\(error)")
            }
        }
        catalog.sealed.removeAll { $0.packets == 0 && removeEmptySegment(SegmentFiles(directory: directory, id: $0.id)) }
        if catalog != previous {
            do { try catalog.write(directory: directory) } catch { throw .system(error) }
        }
        return (catalog, report)
    }

    /// Deletes the files of a segment that holds no packet; returns whether it did.
    private static func removeEmptySegment(_ files: SegmentFiles) -> Bool {
        (try? FileSystem.unlink(files.indexPath)) != nil && (try? FileSystem.unlink(files.dataPath)) != nil
    }
}
