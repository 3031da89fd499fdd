#if canImport(Glibc)
import Glibc
#endif
import TapedeckCore
import TapedeckPOSIX

extension StoreWriter {
    /// The segment size limit: the configured one, capped at an eighth of a disk budget.
    static func segmentLimit(_ configuration: Configuration, directory: String) throws(StorageError) -> Int64 {
        guard let budget = configuration.retention.diskBudget else { return configuration.segmentMaxBytes }
        let total: Int64
        do { total = try FileSystem.spaceInfo(directory).total } catch { throw .system(error) }
        return min(configuration.segmentMaxBytes, max(1 << 20, budget.bytes(ofFileSystemTotal: total) / 8))
    }

    /// Deletes the oldest sealed segments until the store is within its retention policy.
    /// `activeBytes` and `activeLatest` describe the segment being written (never deleted).
    func enforceRetention(activeBytes: Int64, activeLatest: Timestamp?) throws(StorageError) {
        lastRetentionCheck = monotonicNow()
        let policy = configuration.retention
        guard !policy.isUnlimited else { return }
        let sealed = state.withLock { catalog.sealed }.sorted(by: RetentionOrder.isOlder)
        var storeBytes = sealed.reduce(activeBytes) { $0 + Int64($1.storedBytes) }
        var allowed: Int64?
        if policy.diskBudget != nil || policy.minimumFree != nil {
            let space: (total: Int64, available: Int64)
            do { space = try FileSystem.spaceInfo(directory) } catch { throw .system(error) }
            allowed = policy.allowedStoreBytes(fileSystemTotal: space.total, fileSystemAvailable: space.available,
                                               storeBytes: storeBytes)
        }
        var cutoff = Timestamp.distantPast
        if let maximumAge = policy.maximumAge,
           let newest = ([activeLatest].compactMap { $0 } + sealed.map(\.latest)).max() {
            cutoff = newest.advanced(byNanoseconds: -maximumAge)
        }
        let firstUnacknowledged = configuration.firstUnacknowledgedSegment?()
        var victims: [SegmentSummary] = []
        for segment in sealed {
            let overBudget = allowed.map { storeBytes > $0 } ?? false
            let unacknowledged = firstUnacknowledged.map { segment.id >= $0 } ?? false
            let tooOld = segment.latest < cutoff
            if !overBudget, !tooOld { break }  // newer segments are neither
            // Age alone never deletes what a consumer still needs; space does.
            if !overBudget, unacknowledged { continue }
            victims.append(segment)
            storeBytes -= Int64(segment.storedBytes)
        }
        guard !victims.isEmpty else { return }
        logger.info("retention: deleting old segments", metadata: [
            "segments": "\(victims.count)", "bytes": "\(victims.reduce(0) { $0 + $1.storedBytes })",
            "oldest_kept": "\(sealed.dropFirst(victims.count).first?.earliest.description ?? "none")",
        ])
        try deleteSegments(victims)
    }

    /// Removes `victims` from the catalog (so new readers no longer see them), then deletes their
    /// data and index files. Readers that already opened them keep reading through their open
    /// descriptors. A crash in between leaves files that recovery deletes or re-lists. When the
    /// disk is too full to rewrite the catalog, the data files go first to make room (readers skip
    /// a listed segment whose data file is gone).
    func deleteSegments(_ victims: [SegmentSummary]) throws(StorageError) {
        let ids = Set(victims.map(\.id))
        let firstUnacknowledged = configuration.firstUnacknowledgedSegment?()
        let lost = victims.filter { victim in firstUnacknowledged.map { victim.id >= $0 } ?? false }
        if !lost.isEmpty {
            logger.error("retention deleted packets a consumer had not acknowledged", metadata: [
                "segments": "\(lost.count)", "packets": "\(lost.reduce(0) { $0 + $1.packets })",
            ])
        }
        let change = { (catalog: inout Catalog) in
            catalog.sealed.removeAll { ids.contains($0.id) }
            for victim in victims { catalog.deleted.add(victim, unacknowledged: lost.contains { $0.id == victim.id }) }
        }
        do {
            try updateCatalog(change)
        } catch {
            guard case .system(let errno) = error, errno.code == Errno.noSpace else { throw error }
            for victim in victims { try? FileSystem.unlink(SegmentFiles(directory: directory, id: victim.id).dataPath) }
            try updateCatalog(change)
        }
        for victim in victims {
            let files = SegmentFiles(directory: directory, id: victim.id)
            do {
                try FileSystem.unlink(files.dataPath)
                try FileSystem.unlink(files.indexPath)
            } catch {
                if error.code != Errno.noEntry { throw .system(error) }
            }
        }
    }
}

/// The order in which retention deletes: the segment whose newest packet is oldest first.
enum RetentionOrder {
    static func isOlder(_ lhs: SegmentSummary, _ rhs: SegmentSummary) -> Bool {
        (lhs.latest, lhs.id) < (rhs.latest, rhs.id)
    }
}

/// Seconds on the monotonic clock (`clock_gettime(CLOCK_MONOTONIC)`).
func monotonicNow() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}
