/// Why a flow ended; carried by its final chunk and final stream segments.
///
/// The raw values are the words of the Kafka contract (`close_reason` header).
public enum CloseReason: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// TCP: both sides sent a FIN (and the last one was acknowledged, or the closing timeout
    /// passed without it).
    case fin
    /// TCP: either side sent a RST.
    case rst
    /// No packet for the flow's idle timeout; also a TCP connection that a new connection on the
    /// same 5-tuple replaced before it ended with FIN or RST.
    case idle
    /// Flushed early to keep the tracker under its memory or flow-count limit.
    case evicted
    /// Flushed by ``FlowTracker/flushAll(reason:into:)`` (end of input, shutdown).
    case shutdown

    /// The raw value.
    public var description: String { rawValue }
}
