import TapedeckCapture
import TapedeckStorage

/// What `tapedeck record` captures and how.
public struct RecorderConfiguration: Sendable {
    /// Which live capture mechanism to use.
    public enum SourceKind: String, Sendable, CaseIterable {
        /// AF_PACKET with a TPACKET_V3 memory-mapped ring (the default).
        case afpacket
        /// libpcap live capture, for kernels or interfaces where TPACKET_V3 is not available.
        case pcap
    }

    /// Interfaces to capture on; each gets ``threadsPerInterface`` capture threads.
    public var interfaces: [String]
    /// Capture threads (rings) per interface, sharing its traffic by flow through
    /// `PACKET_FANOUT` (AF_PACKET only; default 1).
    public var threadsPerInterface = 1
    /// The capture mechanism (default AF_PACKET).
    public var source = SourceKind.afpacket
    /// A BPF filter (tcpdump syntax) applied in the kernel; nil captures everything.
    public var filter: String?
    /// Bytes kept of each packet (default 262144: all of it).
    public var snapLength = LiveCapture.maximumSnapLength
    /// Bytes of ring (AF_PACKET) or buffer (libpcap) per capture thread (default 64 MiB).
    public var ringSize = 64 << 20
    /// Bytes per ring block (AF_PACKET; default 1 MiB).
    public var ringBlockSize = 1 << 20
    /// Whether to put the interfaces in promiscuous mode (default true).
    public var promiscuous = true
    /// How the store cuts segments and what it keeps.
    public var store = StoreWriter.Configuration()
    /// Longest time a captured packet waits in a partly filled block before it is written and
    /// visible to queries (default 0.25 s).
    public var blockLatency = 0.25
    /// Time between two `fdatasync`s of the store (default 0.5 s): what a crash can lose at most.
    public var syncInterval = 0.5
    /// Time between two log lines of capture counters (default 10 s).
    public var statisticsInterval = 10.0

    /// A configuration capturing on `interfaces` with the defaults.
    public init(interfaces: [String]) {
        self.interfaces = interfaces
    }
}
