/// Receives what a ``FlowTracker`` produces, synchronously, on the thread that feeds it.
///
/// Calls for one flow come in this order: its stream segments for chunk `k` (client to server
/// first), then chunk `k`, for k = 0, 1, …; the final chunk comes last. Flows interleave.
/// The values are owned (their bytes are copies), so a sink may keep them, queue them for
/// another thread or hand them to a Kafka producer. A sink should not block for long: the
/// tracker, and the capture behind it, wait for it.
public protocol FlowEventSink {
    /// A chunk of a flow's packets is complete.
    mutating func receive(_ chunk: FlowChunk)
    /// A piece of a TCP direction's reassembled payload is complete (only with
    /// ``FlowTrackerConfiguration/reassemblesStreams``).
    mutating func receive(_ segment: StreamSegment)
}
