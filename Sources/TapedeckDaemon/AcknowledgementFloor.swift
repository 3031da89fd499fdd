import Synchronization

/// The first store segment that holds packets whose flows Kafka has not acknowledged yet, shared
/// by the flow publisher (which moves it) and the store writer's retention (which must not delete
/// such segments for age, and counts them as lost when space forces it): pass ``segment`` as
/// `StoreWriter.Configuration.firstUnacknowledgedSegment`.
public final class AcknowledgementFloor: Sendable {
    private let value = Mutex<UInt64?>(0)

    /// A floor of segment 0: nothing is acknowledged until the publisher says otherwise.
    public init() {}

    /// The first unacknowledged segment; nil when none.
    public var segment: UInt64? { value.withLock { $0 } }

    /// Moves the floor to `segment`.
    func set(_ segment: UInt64?) {
        value.withLock { $0 = segment }
    }
}
