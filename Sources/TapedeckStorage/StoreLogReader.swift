import TapedeckCore
import TapedeckPOSIX

/// Reads a store as a write-ahead log: every packet once, in segment id order and stored order
/// within a segment, from a ``StoreLogPosition`` on, following the active segment as the
/// recorder appends to it. The Kafka flow publisher reads the store this way.
///
/// Each ``readAvailable(_:)`` reads what is complete now (sealed segments and the checksummed
/// blocks of the active one) and returns; call it again later for more. A block of the active
/// segment caught mid-write is read on a later call. Segments deleted by retention before they
/// were read (to their end) are skipped and reported in ``ReadOutcome/skippedSegments``; after a
/// sealed segment's last packet the position is the start of the next segment id.
///
/// Not `Sendable`: one thread reads.
public final class StoreLogReader {
    /// The store directory.
    public let directory: String
    /// The position of the next packet to read.
    public private(set) var position: StoreLogPosition
    /// The packets of the sealed segment being read (nil while reading the active one).
    private var sealedSegmentPackets: (segment: UInt64, packets: UInt64)?

    /// What one ``readAvailable(_:)`` did.
    public struct ReadOutcome: Equatable, Sendable {
        /// Packets passed to the body.
        public var packets = 0
        /// Segments that retention deleted before this reader got to them (or to their end).
        public var skippedSegments: [UInt64] = []
    }

    /// A reader of the store at `directory` that starts at `position`.
    public init(directory: String, from position: StoreLogPosition = .start) {
        self.directory = directory
        self.position = position
    }

    /// Calls `body` with every packet from ``position`` to the end of what is stored now, with
    /// each packet's position; advances ``position`` past each packet after `body` returns. The
    /// record's bytes are valid only during the call.
    ///
    /// - Throws: ``StorageError`` for a damaged segment or an unreadable catalog (``position``
    ///   is then at the packet that could not be read), or what `body` throws.
    public func readAvailable(_ body: (PacketRecord, StoreLogPosition) throws -> Void) throws -> ReadOutcome {
        var outcome = ReadOutcome()
        while true {
            let store = try StoreReader(directory: directory)
            let ids = store.sealedSegments.map(\.id) + (store.activeSegmentID.map { [$0] } ?? [])
            guard let next = ids.first(where: { $0 >= position.segment }) else { return outcome }
            if next > position.segment {
                // Segment ids are consecutive from 1 and retention deletes the oldest first: a gap
                // below the oldest segment there is means segments deleted before this reader
                // finished them (for a reader at the start: before it read anything). A gap above
                // it is a segment that recovery found empty and removed.
                if next == ids.first { outcome.skippedSegments += Array(max(position.segment, 1)..<next) }
                position = StoreLogPosition(segment: next, packet: 0)
            }
            guard let segment = try open(next, active: next == store.activeSegmentID) else {
                // Deleted between reading the catalog and opening it.
                outcome.skippedSegments.append(next)
                position = StoreLogPosition(segment: next + 1, packet: 0)
                continue
            }
            guard try read(segment, into: body, outcome: &outcome) else { return outcome }
            position = StoreLogPosition(segment: next + 1, packet: 0)
        }
    }

    /// The position to resume at after the packet at `position` (one the reader just passed to its
    /// body): the next packet, or the start of the next segment after a sealed segment's last
    /// packet — so that a checkpoint there does not count that segment as unread should retention
    /// delete it.
    public func position(after position: StoreLogPosition) -> StoreLogPosition {
        if let sealed = sealedSegmentPackets, sealed.segment == position.segment, position.packet + 1 >= sealed.packets {
            return StoreLogPosition(segment: position.segment + 1, packet: 0)
        }
        return StoreLogPosition(segment: position.segment, packet: position.packet + 1)
    }

    /// Opens segment `id`; nil when it no longer exists.
    private func open(_ id: UInt64, active: Bool) throws(StorageError) -> SegmentReader? {
        let files = SegmentFilesReference(directory: directory, id: id)
        func missing(_ error: StorageError) -> Bool {
            if case .system(let errno) = error, errno.code == Errno.noEntry { return true }
            return false
        }
        if active {
            do { return try SegmentReader(active: files) } catch where missing(error) {
                // Sealed since the catalog was read.
            }
        }
        do { return try SegmentReader(sealed: files) } catch where missing(error) { return nil }
    }

    /// Reads `segment` from ``position``; true when the segment is sealed and was read to its end.
    private func read(_ segment: SegmentReader, into body: (PacketRecord, StoreLogPosition) throws -> Void,
                      outcome: inout ReadOutcome) throws -> Bool {
        sealedSegmentPackets = segment.isActive ? nil
            : (segment.id, (0..<segment.blockCount).reduce(0) { $0 + UInt64(segment.block($1).packetCount) })
        var first: UInt64 = 0
        for number in 0..<segment.blockCount {
            let info = segment.block(number)
            let end = first + UInt64(info.packetCount)
            defer { first = end }
            guard end > position.packet else { continue }
            var cursor = try segment.packets(inBlock: number)
            var ordinal = first
            var delivered = 0
            do {
                while let record = try cursor.next() {
                    defer { ordinal += 1 }
                    delivered += 1
                    guard ordinal >= position.packet else { continue }
                    try body(record, StoreLogPosition(segment: segment.id, packet: ordinal))
                    position.packet = ordinal + 1
                    outcome.packets += 1
                }
            } catch let error as BlockFormatError {
                throw StorageError.corrupt(path: segment.dataPath, offset: info.offset, reason: "block \(number): \(error)")
            }
            if delivered < Int(info.packetCount) {
                // The active segment's last block, caught mid-write: not there yet.
                return false
            }
        }
        return !segment.isActive
    }
}
