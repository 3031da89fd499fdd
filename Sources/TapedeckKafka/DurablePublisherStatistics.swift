/// Counters and lag of a ``DurablePublisher``, for the stats API and metrics.
public struct DurablePublisherStatistics: Sendable, Equatable {
    /// Units accepted by ``DurablePublisher/publish(_:)`` since the publisher opened.
    public var published: UInt64 = 0
    /// Units Kafka acknowledged (each counted once, however often it was sent).
    public var acknowledged: UInt64 = 0
    /// Lag: units published and not acknowledged yet.
    public var pendingUnits: Int = 0
    /// Lag: bytes (key, value, headers) of the units not acknowledged yet.
    public var pendingBytes: Int = 0
    /// Lag: how long the oldest unit not acknowledged yet has waited since it was published;
    /// nil when every unit is acknowledged.
    public var oldestPendingAge: Duration? = nil
    /// Delivery reports and produce calls that failed (every one is logged or counted here; none
    /// is dropped: the unit stays after the cursor and is sent again).
    public var deliveryFailures: UInt64 = 0
    /// Times everything after the cursor was sent again because of a failure.
    public var republishes: UInt64 = 0
    /// Units sent again by those republishes.
    public var republishedUnits: UInt64 = 0
    /// Times the Kafka producer was replaced after a fatal error.
    public var producerRestarts: UInt64 = 0
    /// Cursor file writes that succeeded.
    public var cursorWrites: UInt64 = 0
    /// Cursor file writes that failed (retried at the next interval).
    public var cursorWriteFailures: UInt64 = 0
    /// The most recent delivery failure.
    public var lastFailure: KafkaError? = nil

    /// Creates zeroed statistics.
    public init() {}
}
