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

    /// Appends `bytes` to ``bytes``.
    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        self.bytes.append(contentsOf: bytes)
    }
}
