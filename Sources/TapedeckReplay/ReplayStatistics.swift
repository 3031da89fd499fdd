/// What a replay did, as tcpreplay's summary reports it, plus what it left out.
public struct ReplayStatistics: Hashable, Sendable {
    /// Packets read from the sources.
    public var packetsRead = 0
    /// What the injector sent, failed to send and retried.
    public var injection = InjectionCounts()
    /// Packets left out because they are longer than the interface takes
    /// (``ReplayConfiguration/OversizePolicy/skip``).
    public var skippedOversize = 0
    /// Packets sent cut to the longest frame the interface takes
    /// (``ReplayConfiguration/OversizePolicy/truncate``); counted in the packets sent too.
    public var truncated = 0
    /// Packets left out because their link type is not the interface's (say, Linux cooked
    /// captures onto Ethernet).
    public var skippedLinkType = 0
    /// Packets left out because they are shorter than the interface's link-layer header.
    public var skippedShort = 0
    /// Passes over the input completed.
    public var loopsCompleted = 0
    /// Nanoseconds from the first packet to the end of the last send.
    public var elapsedNanoseconds: Int64 = 0

    /// All zero.
    public init() {}

    /// Packets sent.
    public var packetsSent: Int { injection.packetsSent }
    /// Bytes sent.
    public var bytesSent: Int { injection.bytesSent }
    /// Packets that could not be sent.
    public var packetsFailed: Int { injection.packetsFailed }
    /// Packets left out for any reason.
    public var packetsSkipped: Int { skippedOversize + skippedLinkType + skippedShort }

    /// Elapsed time in seconds.
    public var elapsedSeconds: Double { Double(elapsedNanoseconds) / 1e9 }

    /// Packets sent per second of elapsed time (0 before any time passed).
    public var packetsPerSecond: Double {
        elapsedNanoseconds > 0 ? Double(packetsSent) * 1e9 / Double(elapsedNanoseconds) : 0
    }

    /// Megabits (10⁶ bits of captured bytes, as tcpreplay counts) sent per second of elapsed time.
    public var megabitsPerSecond: Double {
        elapsedNanoseconds > 0 ? Double(bytesSent) * 8_000 / Double(elapsedNanoseconds) : 0
    }
}
