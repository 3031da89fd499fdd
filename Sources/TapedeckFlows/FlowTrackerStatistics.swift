/// What a ``FlowTracker`` has done so far, and what it holds now.
public struct FlowTrackerStatistics: Sendable, Hashable {
    /// Packets given to ``FlowTracker/process(_:into:)``.
    public var packets = 0
    /// Captured bytes of those packets.
    public var capturedBytes = 0
    /// Packets without an IP 5-tuple (ARP, LLDP, undecodable frames): part of no flow.
    public var packetsWithoutFlow = 0
    /// Flows started.
    public var flowsCreated = 0
    /// Flows ended, by reason (index with a ``CloseReason``).
    public var flowsClosed = ClosedFlowCounts()
    /// Flows in the table now.
    public var activeFlows = 0
    /// Chunks handed to the sink.
    public var chunks = 0
    /// Stream segments handed to the sink.
    public var streamSegments = 0
    /// Reassembled payload bytes handed to the sink.
    public var streamBytes = 0
    /// Gaps in reassembled streams (runs of bytes never captured).
    public var streamGaps = 0
    /// Total bytes of those gaps.
    public var streamGapBytes = 0
    /// TCP payload bytes that arrived again for stream bytes already delivered (retransmissions,
    /// overlaps, keep-alives) and were dropped.
    public var retransmittedBytes = 0
    /// TCP segments ignored because their sequence number was more than 1 GiB ahead of the stream.
    public var segmentsOutOfWindow = 0
    /// Memory the tracker accounts for now (see ``FlowTrackerConfiguration/memoryLimit``).
    public var memoryInUse = 0
    /// The most memory accounted for at any point (after a packet was handled).
    public var peakMemoryInUse = 0

    /// All zero.
    public init() {}
}

/// Numbers of closed flows per ``CloseReason``.
public struct ClosedFlowCounts: Sendable, Hashable {
    private var counts = (0, 0, 0, 0, 0)

    /// All zero.
    public init() {}

    /// Flows closed for `reason`.
    public subscript(reason: CloseReason) -> Int {
        get {
            switch reason {
            case .fin: counts.0
            case .rst: counts.1
            case .idle: counts.2
            case .evicted: counts.3
            case .shutdown: counts.4
            }
        }
        set {
            switch reason {
            case .fin: counts.0 = newValue
            case .rst: counts.1 = newValue
            case .idle: counts.2 = newValue
            case .evicted: counts.3 = newValue
            case .shutdown: counts.4 = newValue
            }
        }
    }

    /// Flows closed for any reason.
    public var total: Int { CloseReason.allCases.reduce(0) { $0 + self[$1] } }

    /// Equal counts for every reason.
    public static func == (lhs: ClosedFlowCounts, rhs: ClosedFlowCounts) -> Bool {
        CloseReason.allCases.allSatisfy { lhs[$0] == rhs[$0] }
    }

    /// Hashes every count.
    public func hash(into hasher: inout Hasher) {
        for reason in CloseReason.allCases { hasher.combine(self[reason]) }
    }
}
