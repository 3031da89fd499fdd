/// The flow publisher's counters and its lag behind the store.
public struct FlowPublisherStatistics: Sendable, Equatable {
    /// Stored packets read (rebuilding included).
    public var packetsRead: UInt64 = 0
    /// Chunks handed to Kafka by this process.
    public var chunksPublished: UInt64 = 0
    /// Bytes of those chunks' values (pcaps).
    public var bytesPublished: UInt64 = 0
    /// Flows whose final chunk was handed to Kafka.
    public var flowsPublished: UInt64 = 0
    /// Chunks rebuilt after a restart that Kafka had acknowledged before it, so not sent again.
    public var chunksAlreadyAcknowledged: UInt64 = 0
    /// Chunks Kafka acknowledged.
    public var chunksAcknowledged: UInt64 = 0
    /// Stream segments handed to the streams topic by this process.
    public var streamSegmentsPublished: UInt64 = 0
    /// Payload bytes of those segments.
    public var streamBytesPublished: UInt64 = 0
    /// Stream segments rebuilt after a restart that Kafka had acknowledged before it.
    public var streamSegmentsAlreadyAcknowledged: UInt64 = 0
    /// Stream segments Kafka acknowledged.
    public var streamSegmentsAcknowledged: UInt64 = 0
    /// Lag: flows in the flow table, not yet published to their end.
    public var openFlows = 0
    /// Lag: chunks handed to Kafka and not yet acknowledged.
    public var pendingChunks = 0
    /// Lag: stream segments handed to Kafka and not yet acknowledged.
    public var pendingStreamSegments = 0
    /// Lag: bytes of the chunks and stream segments not yet acknowledged.
    public var pendingBytes = 0
    /// Lag: seconds since the oldest unacknowledged chunk or segment was handed to Kafka; nil when none.
    public var oldestPendingSeconds: Double? = nil
    /// Deliveries Kafka failed (each is retried from the cursor).
    public var deliveryFailures: UInt64 = 0
    /// Store segments that retention deleted before the publisher had read them: their flows
    /// are lost to Kafka (the store counts their packets as unacknowledged deletions).
    public var lostSegments: UInt64 = 0
    /// Checkpoints written.
    public var checkpoints: UInt64 = 0

    /// Counters from zero.
    public init() {}

    /// The counters as the JSON object of `flow-publisher-stats.json` (see `Storage/FORMAT.md`).
    var json: String {
        "{\"packetsRead\":\(packetsRead),\"chunksPublished\":\(chunksPublished),\"bytesPublished\":\(bytesPublished),"
            + "\"flowsPublished\":\(flowsPublished),\"chunksAlreadyAcknowledged\":\(chunksAlreadyAcknowledged),"
            + "\"chunksAcknowledged\":\(chunksAcknowledged),\"streamSegmentsPublished\":\(streamSegmentsPublished),"
            + "\"streamBytesPublished\":\(streamBytesPublished),"
            + "\"streamSegmentsAlreadyAcknowledged\":\(streamSegmentsAlreadyAcknowledged),"
            + "\"streamSegmentsAcknowledged\":\(streamSegmentsAcknowledged),\"openFlows\":\(openFlows),"
            + "\"pendingChunks\":\(pendingChunks),\"pendingStreamSegments\":\(pendingStreamSegments),"
            + "\"pendingBytes\":\(pendingBytes),\"oldestPendingSeconds\":\(oldestPendingSeconds.map { "\($0)" } ?? "null"),"
            + "\"deliveryFailures\":\(deliveryFailures),\"lostSegments\":\(lostSegments),\"checkpoints\":\(checkpoints)}"
    }
}
