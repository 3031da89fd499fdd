import TapedeckCore

/// A flow in a ``FlowTracker``'s table: see ``FlowTracker/openFlows``.
public struct OpenFlow: Hashable, Sendable {
    /// The canonical 5-tuple.
    public var key: FlowKey
    /// The flow id.
    public var id: FlowID
    /// Capture time of the flow's first packet.
    public var start: Timestamp
    /// The origin passed with the flow's first packet.
    public var origin: UInt64
    /// Index of the chunk being filled: chunks 0 ..< nextChunkIndex have been emitted.
    public var nextChunkIndex: UInt32

    /// Creates the description of an open flow.
    public init(key: FlowKey, id: FlowID, start: Timestamp, origin: UInt64, nextChunkIndex: UInt32) {
        self.key = key
        self.id = id
        self.start = start
        self.origin = origin
        self.nextChunkIndex = nextChunkIndex
    }
}
