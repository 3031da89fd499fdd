/// How a replay ended, and what it did.
public struct ReplayResult: Sendable {
    /// Why a replay ended.
    public enum Ending: Equatable, Sendable {
        /// Every pass read its sources to the end.
        case endOfInput
        /// ``ReplayConfiguration/packetLimit`` packets were sent.
        case packetLimit
        /// ``ReplayConfiguration/durationNanoseconds`` passed.
        case duration
        /// ``ReplayStopHandle/stop()`` was called.
        case stopped
        /// A source or the injector failed; what was queued before was sent.
        case failed(ReplayError)
    }

    /// Why it ended.
    public var ending: Ending
    /// What it did.
    public var statistics: ReplayStatistics
}
