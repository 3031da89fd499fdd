import TapedeckPOSIX

/// The store's table of contents, file `catalog`: the sealed segments in id order and the id
/// of the segment being recorded, so that a reader finds everything with one small read.
/// Rewritten atomically (temporary file, fsync, rename) whenever a segment is sealed, opened
/// or deleted.
///
/// ```
/// header, 64 bytes: magic "TDCATLOG" u64, version u8, 3 reserved, entry count u32 (12),
///                   active segment id u64 (16; 0 = none), CRC-32C of bytes 32..<end u32 (24),
///                   4 reserved, deletion totals (32: segments, 40: packets, 48: captured bytes,
///                   56: stored bytes, 64: segments and 72: packets deleted before a downstream
///                   consumer acknowledged them; each u64), highest segment id ever used u64 (80;
///                   version 2, so that ids are never reused after retention emptied the store)
/// entries, 64 bytes each (see SegmentSummary)
/// ```
struct Catalog: Equatable, Sendable {
    static let fileName = "catalog"
    static let magic: UInt64 = 0x474F_4C54_4143_4454  // "TDCATLOG" little-endian
    static let version: UInt8 = 2
    /// Version 1 had no highest segment id (its header ended at 80); it is still read.
    static let firstVersion: UInt8 = 1
    static let headerSize = 88

    /// Sealed segments, ascending by id.
    var sealed: [SegmentSummary] = [] {
        didSet { if let id = sealed.last?.id, id > highestSegmentID { highestSegmentID = id } }
    }
    /// The segment currently being written, if any.
    var activeSegmentID: UInt64? {
        didSet { if let id = activeSegmentID, id > highestSegmentID { highestSegmentID = id } }
    }
    /// What retention has deleted over the store's life.
    var deleted = DeletionTotals()
    /// The highest segment id the store ever had, also of segments since deleted (kept up to
    /// date as segments are added).
    var highestSegmentID: UInt64 = 0

    /// The id after every id the store ever used: segment ids increase by one and are never
    /// reused (a reader of the store as a log relies on it).
    var nextSegmentID: UInt64 { highestSegmentID + 1 }

    func encoded() -> [UInt8] {
        var body = LittleEndianWriter(capacity: 56 + sealed.count * SegmentSummary.encodedWidth)
        body.append(deleted.segments)
        body.append(deleted.packets)
        body.append(deleted.capturedBytes)
        body.append(deleted.storedBytes)
        body.append(deleted.unacknowledgedSegments)
        body.append(deleted.unacknowledgedPackets)
        body.append(highestSegmentID)
        for segment in sealed { segment.encode(into: &body) }
        var writer = LittleEndianWriter(capacity: 32 + body.bytes.count)
        writer.append(Catalog.magic)
        writer.append(Catalog.version)
        writer.appendZeros(3)
        writer.append(UInt32(sealed.count))
        writer.append(activeSegmentID ?? 0)
        writer.append(body.bytes.withUnsafeBytes { CRC32C.checksum($0) })
        writer.appendZeros(4)
        writer.bytes.append(contentsOf: body.bytes)
        return writer.bytes
    }

    /// Reads the catalog of the store at `directory`.
    static func load(directory: String) throws(StorageError) -> Catalog {
        let path = "\(directory)/\(fileName)"
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readWholeFile(path)
        } catch {
            if error.code == Errno.noEntry {
                throw .notAStore(path: directory, reason: "no catalog file (create a store with `tapedeck import` or `tapedeck record`)")
            }
            throw .system(error)
        }
        return try bytes.withUnsafeBytes { raw in
            Result { () throws(StorageError) in try decode(raw, path: path, directory: directory) }
        }.get()
    }

    private static func decode(_ raw: UnsafeRawBufferPointer, path: String, directory: String) throws(StorageError) -> Catalog {
        guard raw.count >= 80, let base = raw.baseAddress,
              base.loadLittleEndian(at: 0, as: UInt64.self) == magic else {
            throw .corrupt(path: path, offset: 0, reason: "bad catalog magic")
        }
        let fileVersion = base.load(fromByteOffset: 8, as: UInt8.self)
        guard fileVersion == version || fileVersion == firstVersion else {
            throw .notAStore(path: directory, reason: "catalog version \(fileVersion) is not supported")
        }
        let headerSize = fileVersion == firstVersion ? 80 : Self.headerSize
        let count = Int(base.loadLittleEndian(at: 12, as: UInt32.self))
        guard raw.count == headerSize + count * SegmentSummary.encodedWidth else {
            throw .corrupt(path: path, offset: Int64(raw.count), reason: "catalog length does not match its \(count) entries")
        }
        guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[32...])) == base.loadLittleEndian(at: 24, as: UInt32.self) else {
            throw .corrupt(path: path, offset: 32, reason: "catalog CRC-32C mismatch")
        }
        let entries = UnsafeRawBufferPointer(rebasing: raw[headerSize...])
        var catalog = Catalog()
        catalog.deleted = DeletionTotals(segments: base.loadLittleEndian(at: 32), packets: base.loadLittleEndian(at: 40),
                                         capturedBytes: base.loadLittleEndian(at: 48), storedBytes: base.loadLittleEndian(at: 56),
                                         unacknowledgedSegments: base.loadLittleEndian(at: 64),
                                         unacknowledgedPackets: base.loadLittleEndian(at: 72))
        let active: UInt64 = base.loadLittleEndian(at: 16)
        catalog.activeSegmentID = active == 0 ? nil : active
        for index in 0..<count {
            catalog.sealed.append(SegmentSummary(decoding: entries.baseAddress! + index * SegmentSummary.encodedWidth))
        }
        if fileVersion != firstVersion { catalog.highestSegmentID = max(catalog.highestSegmentID, base.loadLittleEndian(at: 80)) }
        return catalog
    }

    /// Writes the catalog atomically: temporary file, fsync, rename, directory fsync.
    func write(directory: String) throws(Errno) {
        try FileSystem.writeAtomically(directory: directory, name: Catalog.fileName, bytes: encoded())
    }
}

/// What retention has deleted from a store over its life, kept in the catalog.
public struct DeletionTotals: Equatable, Sendable {
    /// Segments deleted.
    public var segments: UInt64 = 0
    /// Packets in them.
    public var packets: UInt64 = 0
    /// Captured bytes of those packets.
    public var capturedBytes: UInt64 = 0
    /// Disk space freed (data and index files).
    public var storedBytes: UInt64 = 0
    /// Of those, segments and packets a downstream consumer (the Kafka publisher) had not yet
    /// acknowledged: lost to it, because the disk budget or a full disk forced their deletion.
    public var unacknowledgedSegments: UInt64 = 0
    public var unacknowledgedPackets: UInt64 = 0

    public init(segments: UInt64 = 0, packets: UInt64 = 0, capturedBytes: UInt64 = 0, storedBytes: UInt64 = 0,
                unacknowledgedSegments: UInt64 = 0, unacknowledgedPackets: UInt64 = 0) {
        self.segments = segments
        self.packets = packets
        self.capturedBytes = capturedBytes
        self.storedBytes = storedBytes
        self.unacknowledgedSegments = unacknowledgedSegments
        self.unacknowledgedPackets = unacknowledgedPackets
    }

    /// Adds a deleted segment; `unacknowledged` if a consumer had not acknowledged it.
    mutating func add(_ segment: SegmentSummary, unacknowledged: Bool) {
        segments += 1
        packets += segment.packets
        capturedBytes += segment.capturedBytes
        storedBytes += segment.storedBytes
        if unacknowledged {
            unacknowledgedSegments += 1
            unacknowledgedPackets += segment.packets
        }
    }
}
