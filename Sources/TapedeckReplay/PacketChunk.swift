import TapedeckCore

/// Copied packets, one after another in one buffer, for handing packets from one thread to
/// another: each is a 24-byte header (time stamp, original length, link type, captured length)
/// followed by its bytes, padded to 8 bytes. Filled by one thread, then read by another; reused.
final class PacketChunk {
    private let storage: UnsafeMutableRawBufferPointer
    /// Bytes filled.
    private var used = 0
    /// Where the next record to read starts.
    private var readOffset = 0

    private static let headerLength = 24

    /// A chunk of `capacity` bytes.
    init(capacity: Int) {
        storage = .allocate(byteCount: capacity, alignment: 8)
    }

    deinit {
        storage.deallocate()
    }

    /// The buffer's size.
    var capacity: Int { storage.count }

    /// Whether nothing was appended since the last ``reset()``.
    var isEmpty: Bool { used == 0 }

    /// Bytes a record of `length` captured bytes takes.
    @inline(__always)
    static func footprint(_ length: Int) -> Int {
        headerLength &+ (length &+ 7) & ~7
    }

    /// Whether a record of `length` captured bytes fits.
    @inline(__always)
    func hasRoom(for length: Int) -> Bool {
        used &+ Self.footprint(length) <= storage.count
    }

    /// Copies `record` in; there must be room.
    @inline(__always)
    func append(_ record: PacketRecord) {
        let base = storage.baseAddress.unsafelyUnwrapped + used
        base.storeBytes(of: record.timestamp.nanoseconds, as: Int64.self)
        base.storeBytes(of: record.originalLength, toByteOffset: 8, as: UInt32.self)
        base.storeBytes(of: record.linkType.rawValue, toByteOffset: 12, as: UInt32.self)
        base.storeBytes(of: UInt32(record.bytes.count), toByteOffset: 16, as: UInt32.self)
        if let bytes = record.bytes.baseAddress {
            (base + Self.headerLength).copyMemory(from: bytes, byteCount: record.bytes.count)
        }
        used &+= Self.footprint(record.bytes.count)
    }

    /// The next record, borrowing the chunk's buffer; `nil` when all were read.
    @inline(__always)
    func next() -> PacketRecord? {
        guard readOffset < used else { return nil }
        let base = UnsafeRawPointer(storage.baseAddress.unsafelyUnwrapped + readOffset)
        let length = Int(base.load(fromByteOffset: 16, as: UInt32.self))
        readOffset &+= Self.footprint(length)
        return PacketRecord(
            timestamp: Timestamp(nanoseconds: base.load(as: Int64.self)),
            originalLength: base.load(fromByteOffset: 8, as: UInt32.self),
            linkType: LinkType(rawValue: base.load(fromByteOffset: 12, as: UInt32.self)),
            bytes: UnsafeRawBufferPointer(start: base + Self.headerLength, count: length))
    }

    /// Empties the chunk for reuse.
    func reset() {
        used = 0
        readOffset = 0
    }
}
