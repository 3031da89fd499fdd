import TapedeckCore
import TapedeckPOSIX

/// Opens a store for reading: one read of the catalog tells which segments exist and what time
/// each covers, so a query opens only the segments it needs. Never writes; any number of
/// readers may run while a writer records.
public final class StoreReader: Sendable {
    /// The store directory.
    public let directory: String
    /// Sealed segments in id order.
    public let sealedSegments: [SegmentSummary]
    /// The segment being recorded when the catalog was read, if any.
    public let activeSegmentID: UInt64?
    /// What retention has deleted over the store's life.
    public let deleted: DeletionTotals

    /// Reads the catalog of the store at `directory`.
    public init(directory: String) throws(StorageError) {
        self.directory = directory
        let catalog = try Catalog.load(directory: directory)
        sealedSegments = catalog.sealed
        activeSegmentID = catalog.activeSegmentID
        deleted = catalog.deleted
    }

    /// Opens every segment that may hold a packet in `window`, the active one included.
    /// Segments deleted by retention since the catalog was read are skipped.
    public func openSegments(overlapping window: TimeWindow) throws(StorageError) -> [SegmentReader] {
        var readers: [SegmentReader] = []
        for summary in sealedSegments where window.overlaps(first: summary.earliest, last: summary.latest) {
            do {
                readers.append(try SegmentReader(sealed: SegmentFilesReference(directory: directory, id: summary.id)))
            } catch {
                if case .system(let errno) = error, errno.code == Errno.noEntry { continue }
                throw error
            }
        }
        if let active = activeSegmentID {
            do {
                readers.append(try SegmentReader(active: SegmentFilesReference(directory: directory, id: active)))
            } catch {
                // Sealed since the catalog was read: open it as the sealed segment it now is.
                guard case .system(let errno) = error, errno.code == Errno.noEntry else { throw error }
                if let sealed = try? SegmentReader(sealed: SegmentFilesReference(directory: directory, id: active)) {
                    readers.append(sealed)
                }
            }
        }
        return readers
    }
}
