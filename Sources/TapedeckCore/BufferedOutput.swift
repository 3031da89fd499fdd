/// The write buffer of the capture-file writers: bytes collect in one fixed allocation and reach
/// the sink in large writes (when full, and on ``flush()``), so per-packet writes never do.
///
/// A class rather than a `~Copyable` struct: Swift 6.3's runtime skips the `deinit` of a generic
/// noncopyable struct whose fields are all trivial when built without whole-module optimisation
/// (swiftlang/swift#89686), which leaked the buffer for trivial sinks.
final class BufferedOutput<Sink: ByteSink> {
    /// Where flushed bytes go.
    private(set) var sink: Sink
    /// Buffer size in bytes; a single append larger than this bypasses the buffer.
    let capacity: Int
    private let storage: UnsafeMutableRawPointer
    private var used = 0
    /// Bytes produced so far, flushed or still buffered.
    private(set) var byteCount = 0

    /// The smallest buffer accepted: it must hold the largest fixed block header.
    static var minimumCapacity: Int { 64 }

    /// A buffer of `capacity` bytes (at least ``minimumCapacity``) in front of `sink`.
    init(sink: Sink, capacity: Int) {
        self.sink = sink
        self.capacity = max(capacity, Self.minimumCapacity)
        storage = .allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit {
        storage.deallocate()
    }

    /// Room for a file header of `count` bytes (at most ``minimumCapacity``) in the still empty
    /// buffer, which needs no flush; the caller stores into it, then calls ``commit(_:)``.
    func reserveFileHeader(_ count: Int) -> UnsafeMutableRawPointer {
        precondition(used == 0 && count <= Self.minimumCapacity, "file header after other output")
        return storage
    }

    /// Room for `count` bytes (at most ``minimumCapacity``), flushing first if the buffer lacks
    /// it. The caller stores into the returned pointer, then calls ``commit(_:)``.
    @inline(__always)
    func reserve(_ count: Int) throws -> UnsafeMutableRawPointer {
        if used &+ count > capacity { try flush() }
        return storage + used
    }

    /// Marks `count` bytes after the last ``reserve(_:)`` as written.
    @inline(__always)
    func commit(_ count: Int) {
        used &+= count
        byteCount &+= count
    }

    /// Appends `bytes`; bytes that do not fit in an empty buffer go straight to the sink.
    @inline(__always)
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        if used &+ bytes.count > capacity {
            try flush()
            if bytes.count > capacity {
                try sink.write(bytes)
                byteCount &+= bytes.count
                return
            }
        }
        if let base = bytes.baseAddress {
            (storage + used).copyMemory(from: base, byteCount: bytes.count)
        }
        commit(bytes.count)
    }

    /// Appends `count` (at most 3) zero bytes of padding.
    @inline(__always)
    func appendPadding(_ count: Int) throws {
        guard count > 0 else { return }
        try reserve(count).initializeMemory(as: UInt8.self, repeating: 0, count: count)
        commit(count)
    }

    /// Writes the buffered bytes to the sink.
    func flush() throws {
        guard used > 0 else { return }
        try sink.write(UnsafeRawBufferPointer(start: storage, count: used))
        used = 0
    }
}

extension UnsafeMutableRawPointer {
    /// Stores `value` little-endian at `offset` (no alignment needed).
    @inline(__always)
    func storeLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }
}
