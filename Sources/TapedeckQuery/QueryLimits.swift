/// Caps on a query's output, like Stenographer's `Steno-Limit-Packets` and `Steno-Limit-Bytes`.
public struct QueryLimits: Sendable, Equatable {
    /// Stop after this many packets; nil for no limit.
    public var maxPackets: Int?
    /// Stop before the packet records (16-byte pcap record header plus captured bytes) would
    /// exceed this many bytes; nil for no limit.
    public var maxBytes: Int?

    /// No limits by default.
    public init(maxPackets: Int? = nil, maxBytes: Int? = nil) {
        self.maxPackets = maxPackets
        self.maxBytes = maxBytes
    }
}

/// What a query did.
public struct QueryStatistics: Sendable, Equatable {
    /// Segments whose index was consulted.
    public var segmentsSearched = 0
    /// Blocks read and decompressed.
    public var blocksRead = 0
    /// Packets decoded and tested.
    public var packetsExamined = 0
    /// Packets written to the output.
    public var packetsMatched = 0
    /// Captured bytes of the packets written.
    public var bytesMatched = 0
    /// Whether a limit cut the output short.
    public var limitReached = false

    public init() {}
}
