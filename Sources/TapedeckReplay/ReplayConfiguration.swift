/// What a ``Replayer`` sends and when it stops. Every property documents its default.
public struct ReplayConfiguration: Hashable, Sendable {
    /// What to do with a frame longer than the interface takes (its MTU plus the link-layer
    /// header; see ``InjectionLink/maximumLength(of:)``).
    public enum OversizePolicy: String, Hashable, Sendable, CaseIterable {
        /// Leave the frame out; it is counted and reported.
        case skip
        /// Send the frame's first bytes, as many as the interface takes; it is counted and reported.
        case truncate
    }

    /// How fast to send. Default ``ReplayRate/multiplier(_:)`` 1: the captured timing, as tcpreplay.
    public var rate: ReplayRate = .multiplier(1)

    /// Passes over the input, 0 for no end. Default 1.
    public var loops = 1

    /// Stop after sending this many packets (across loops; packets left out do not count), or
    /// `nil` for no limit. Default `nil`.
    public var packetLimit: Int?

    /// Stop once this many nanoseconds have passed since the first packet, without sending a
    /// packet due at or after that time, or `nil` for no limit. Default `nil`.
    public var durationNanoseconds: Int64?

    /// What to do with frames longer than the interface takes. Default ``OversizePolicy/skip``.
    public var oversize = OversizePolicy.skip

    /// A configuration with every property at its default.
    public init() {}

    /// Checks every property against its range.
    ///
    /// - Throws: ``ReplayError/invalidConfiguration(reason:)`` naming the first bad property.
    public func validate() throws(ReplayError) {
        switch rate {
        case .multiplier(let factor) where !(factor.isFinite && factor > 0):
            throw .invalidConfiguration(reason: "multiplier \(factor) must be a positive number")
        case .packetsPerSecond(let value) where !(value.isFinite && value > 0):
            throw .invalidConfiguration(reason: "packet rate \(value) must be a positive number")
        case .megabitsPerSecond(let value) where !(value.isFinite && value > 0):
            throw .invalidConfiguration(reason: "bit rate \(value) must be a positive number")
        default:
            break
        }
        if loops < 0 {
            throw .invalidConfiguration(reason: "loops \(loops) must be 0 (no end) or more")
        }
        if let packetLimit, packetLimit <= 0 {
            throw .invalidConfiguration(reason: "packet limit \(packetLimit) must be positive")
        }
        if let durationNanoseconds, durationNanoseconds <= 0 {
            throw .invalidConfiguration(reason: "duration \(durationNanoseconds) ns must be positive")
        }
    }
}
