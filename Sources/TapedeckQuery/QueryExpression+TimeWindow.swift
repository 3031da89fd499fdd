import TapedeckCore

extension QueryExpression {
    /// The tightest time window implied by `after`/`before` primitives that are ANDed at the top
    /// level; ``TimeWindow/all`` when there are none. Every matching packet's time lies in it,
    /// so segments and blocks outside it can be skipped. Bounds under `or` or `not` are ignored
    /// (they narrow nothing for sure); the window may be empty (`after T and before T`).
    public var timeWindow: TimeWindow {
        switch self {
        case let .timeAfter(start): TimeWindow(start: start)
        case let .timeBefore(end): TimeWindow(end: end)
        case let .and(left, right): left.timeWindow.intersection(right.timeWindow)
        default: .all
        }
    }
}
