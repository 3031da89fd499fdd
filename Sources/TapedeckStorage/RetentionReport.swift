import TapedeckCore

/// What a store holds and what a disk budget buys at the rate it has been filling: the numbers
/// behind `tapedeck retention`. Rates are stored bytes (data and index) per second of packet time.
public struct RetentionReport: Equatable, Sendable {
    /// Earliest and latest packet of the sealed segments.
    public var oldest: Timestamp?
    public var newest: Timestamp?
    /// `newest - oldest`, in seconds.
    public var windowSeconds: Double
    public var segments: Int
    public var dataBytes: UInt64
    public var indexBytes: UInt64
    public var capturedBytes: UInt64
    public var originalBytes: UInt64
    /// Captured bytes per data byte.
    public var compressionRatio: Double?
    /// Stored bytes per second over the last hour, the last day and the whole window of packet
    /// time (each over at most the window); nil when the window is empty.
    public var rateLastHour: Double?
    public var rateLastDay: Double?
    public var rateWindow: Double?
    /// What retention has deleted so far.
    public var deleted: DeletionTotals
    /// The budget the projections use, and the window it buys at `projectionRate`, in seconds.
    public var budgetBytes: UInt64
    public var budgetWindowSeconds: Double?
    /// The target window and the budget it needs at `projectionRate`.
    public var targetSeconds: Double
    public var targetBudgetBytes: UInt64?
    /// The rate the projections use: the last day's, or the whole window's if that is shorter.
    public var projectionRate: Double?

    /// Computes the report for `segments`. `budget` defaults to the bytes the store holds now;
    /// `targetNanoseconds` defaults to 72 hours.
    public init(segments: [SegmentSummary], deleted: DeletionTotals, budget: UInt64? = nil,
                targetNanoseconds: Int64 = 72 * 3_600_000_000_000) {
        self.segments = segments.count
        self.deleted = deleted
        dataBytes = segments.reduce(0) { $0 + $1.dataBytes }
        indexBytes = segments.reduce(0) { $0 + $1.indexBytes }
        capturedBytes = segments.reduce(0) { $0 + $1.capturedBytes }
        originalBytes = segments.reduce(0) { $0 + $1.originalBytes }
        compressionRatio = dataBytes > 0 ? Double(capturedBytes) / Double(dataBytes) : nil
        let oldest = segments.map(\.earliest).min()
        let newest = segments.map(\.latest).max()
        self.oldest = oldest
        self.newest = newest
        var window = 0.0
        if let oldest, let newest {
            window = Double(newest.nanoseconds - oldest.nanoseconds) / 1e9
            rateLastHour = RetentionReport.rate(segments, endingAt: newest, seconds: 3600, window: window)
            rateLastDay = RetentionReport.rate(segments, endingAt: newest, seconds: 86_400, window: window)
            rateWindow = RetentionReport.rate(segments, endingAt: newest, seconds: window, window: window)
        }
        windowSeconds = window
        projectionRate = rateLastDay
        budgetBytes = budget ?? dataBytes + indexBytes
        targetSeconds = Double(targetNanoseconds) / 1e9
        if let rate = projectionRate, rate > 0 {
            budgetWindowSeconds = Double(budgetBytes) / rate
            targetBudgetBytes = UInt64(rate * targetSeconds)
        }
    }

    /// Stored bytes per second of packet time over the `seconds` before `end` (at most `window`
    /// long): each segment counts with the share of its time span inside that interval. Times are
    /// compared in integer nanoseconds, so nothing is lost to floating point at epoch scale.
    static func rate(_ segments: [SegmentSummary], endingAt end: Timestamp, seconds: Double, window: Double) -> Double? {
        let span = Int64(min(seconds, window) * 1e9)
        guard span > 0 else { return nil }
        let start = end.nanoseconds - span
        var bytes = 0.0
        for segment in segments {
            let first = segment.earliest.nanoseconds
            let last = segment.latest.nanoseconds
            let stored = Double(segment.storedBytes)
            if last <= first {
                if first >= start { bytes += stored }
                continue
            }
            let overlap = max(0, last - max(first, start))
            bytes += overlap >= last - first ? stored : stored * Double(overlap) / Double(last - first)
        }
        return bytes / (Double(span) / 1e9)
    }
}
