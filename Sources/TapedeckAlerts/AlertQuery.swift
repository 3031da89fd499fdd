import TapedeckCore
import TapedeckQuery

/// Turns alerts into the query that carves their evidence: which packets (by
/// ``AlertGranularity``) and when (the alert padded by a duration on each side).
///
/// The window of one alert runs from `before` ahead of the flow's start (`flow.start`, or the
/// alert time when the alert does not say) to `after` past the alert time; `after` is
/// inclusive and `before` exclusive, as in the query language.
public struct AlertQuery: Sendable {
    /// Which packets of each alert.
    public var granularity: AlertGranularity
    /// Padding ahead of each flow's start, in nanoseconds (default 60 s).
    public var paddingBefore: Int64
    /// Padding past each alert time, in nanoseconds (default 60 s).
    public var paddingAfter: Int64

    /// One minute, the default padding on each side.
    public static let defaultPadding: Int64 = 60_000_000_000

    public init(granularity: AlertGranularity = .flow, paddingBefore: Int64 = defaultPadding,
                paddingAfter: Int64 = defaultPadding) {
        self.granularity = granularity
        self.paddingBefore = paddingBefore
        self.paddingAfter = paddingAfter
    }

    /// The padded time window of `alert`.
    public func window(of alert: EVEAlert) -> TimeWindow {
        let start = min(alert.flowStart ?? alert.timestamp, alert.timestamp)
        return TimeWindow(start: start.advanced(byNanoseconds: -paddingBefore),
                          end: alert.timestamp.advanced(byNanoseconds: paddingAfter))
    }

    /// The window covering every alert's window.
    public func window(of alerts: [EVEAlert]) -> TimeWindow {
        let windows = alerts.map(window(of:))
        return TimeWindow(start: windows.map(\.start).min() ?? .distantPast, end: windows.map(\.end).max() ?? .distantFuture)
    }

    /// The packets of `alert` at this granularity, without time bounds.
    ///
    /// `flow` with ports is exact in both directions and pins the flow for the index:
    /// `(src host A and src port X and dst host B and dst port Y and P) or (src host B and
    /// src port Y and dst host A and dst port X and P)`; without ports it is `host A and host B
    /// and ip proto P`. `hosts` is `host A and host B` (`host A` if both are the same), `src`
    /// is `host A`, `dst` is `host B`.
    public func selection(for alert: EVEAlert) -> QueryExpression {
        let a = QueryExpression.address(.either, alert.source...alert.source)
        let b = QueryExpression.address(.either, alert.destination...alert.destination)
        switch granularity {
        case .src:
            return a
        case .dst:
            return b
        case .hosts:
            return alert.source == alert.destination ? a : .and(a, b)
        case .flow:
            let proto = QueryExpression.ipProtocol(alert.ipProtocol)
            guard let x = alert.sourcePort, let y = alert.destinationPort else {
                return alert.source == alert.destination ? .and(a, proto) : .and(.and(a, b), proto)
            }
            func direction(_ from: IPAddress, _ fromPort: UInt16, _ to: IPAddress, _ toPort: UInt16) -> QueryExpression {
                .and(.and(.and(.and(.address(.source, from...from), .port(.source, fromPort)),
                               .address(.destination, to...to)), .port(.destination, toPort)), proto)
            }
            let forward = direction(alert.source, x, alert.destination, y)
            let backward = direction(alert.destination, y, alert.source, x)
            return forward == backward ? forward : .or(forward, backward)
        }
    }

    /// The query for one alert: its selection within its padded window.
    public func expression(for alert: EVEAlert) -> QueryExpression {
        let window = window(of: alert)
        return .and(.and(selection(for: alert), .timeAfter(window.start)), .timeBefore(window.end))
    }

    /// The query for several alerts: the union of their queries (repeated ones once), bounded
    /// at the top level by the window covering them all so that the store reads only the
    /// segments that window overlaps.
    public func expression(for alerts: [EVEAlert]) -> QueryExpression? {
        var seen = Set<QueryExpression>()
        var union: QueryExpression?
        for alert in alerts {
            let expression = expression(for: alert)
            guard seen.insert(expression).inserted else { continue }
            union = union.map { .or($0, expression) } ?? expression
        }
        guard let union else { return nil }
        if seen.count == 1 { return union }
        let window = window(of: alerts)
        return .and(.and(union, .timeAfter(window.start)), .timeBefore(window.end))
    }
}
