import TapedeckCore

extension StoreReader {
    /// The time of the newest stored packet: the latest of the sealed segments and of the
    /// active segment's complete blocks; nil for an empty store.
    public var newestPacketTime: Timestamp? {
        var newest = sealedSegments.filter { $0.packets > 0 }.map(\.latest).max()
        if let active = activeSegmentID,
           let reader = try? SegmentReader(active: SegmentFilesReference(directory: directory, id: active)) {
            for number in 0..<reader.blockCount {
                let latest = reader.block(number).latest
                if newest.map({ latest > $0 }) ?? true { newest = latest }
            }
        }
        return newest
    }

    /// The time of the oldest stored packet (sealed segments, else the active segment's first
    /// block); nil for an empty store.
    public var oldestPacketTime: Timestamp? {
        if let oldest = sealedSegments.filter({ $0.packets > 0 }).map(\.earliest).min() { return oldest }
        guard let active = activeSegmentID,
              let reader = try? SegmentReader(active: SegmentFilesReference(directory: directory, id: active)) else { return nil }
        return (0..<reader.blockCount).map { reader.block($0).earliest }.min()
    }
}
