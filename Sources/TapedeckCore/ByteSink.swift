/// Where pcap writers send their bytes: a file, a socket, a chunked HTTP response, memory.
public protocol ByteSink {
    /// Writes all of `bytes` or throws.
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws
}

/// A sink that collects everything in memory; for tests and small results.
public struct MemorySink: ByteSink, Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// Creates an empty sink.
    public init() {}

    /// Creates an empty sink with room for `capacity` bytes, for output of a known size (the
    /// bytes are then never moved while they are written).
    public init(reservingCapacity capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends `bytes` to ``bytes``.
    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        self.bytes.append(contentsOf: bytes)
    }
}
