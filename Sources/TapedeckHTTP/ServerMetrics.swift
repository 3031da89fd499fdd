import Prometheus
import TapedeckPOSIX

/// The server's counters: Prometheus metrics in the registry the server was given, and the
/// query counts that `/v1/stats` reports.
final class ServerMetrics: @unchecked Sendable {
    /// How queries ended, as counted in `tapedeck_queries_total{outcome=…}`.
    enum QueryOutcome: String, CaseIterable {
        /// Answered completely (possibly cut short by a requested or configured limit).
        case served
        /// Refused with `503`: the concurrent query limit was reached.
        case rejected
        /// Stopped by the query time limit.
        case timedOut = "timed_out"
        /// Stopped because the client went away or stopped reading.
        case clientGone = "client_gone"
        /// Stopped by a store error (a damaged segment, a failed read) or a server shutdown.
        case failed
    }

    /// Query counts for `/v1/stats`.
    struct QueryCounts {
        var active = 0
        var outcomes: [QueryOutcome: Int] = [:]
        /// Served queries whose result was cut by the server's result-bytes limit.
        var truncated = 0
    }

    let registry: PrometheusCollectorRegistry
    private let lock = ConditionLock()
    private var counts = QueryCounts()
    private var responseCounters: [Int: Counter] = [:]
    private let activeGauge: Gauge
    private let outcomeCounters: [QueryOutcome: Counter]
    private let truncatedCounter: Counter
    private let bytesCounter: Counter
    private let packetsCounter: Counter
    private let durationHistogram: DurationHistogram

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        activeGauge = registry.makeGauge(descriptor: MetricNameDescriptor(
            namespace: "tapedeck", metricName: "queries_active", unitName: "", helpText: "Queries running now."))
        var counters: [QueryOutcome: Counter] = [:]
        for outcome in QueryOutcome.allCases {
            counters[outcome] = registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "tapedeck", metricName: "queries", unitName: "total",
                                                 helpText: "Queries by how they ended."),
                labels: [("outcome", outcome.rawValue)])
        }
        outcomeCounters = counters
        truncatedCounter = registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "tapedeck", metricName: "queries_truncated", unitName: "total",
            helpText: "Queries whose result the server's result-bytes limit cut short."))
        bytesCounter = registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "tapedeck", metricName: "query_result", unitName: "bytes_total",
            helpText: "Bytes sent in query responses (pcap or pcapng with the HTTP framing)."))
        packetsCounter = registry.makeCounter(descriptor: MetricNameDescriptor(
            namespace: "tapedeck", metricName: "query_result", unitName: "packets_total",
            helpText: "Packets sent in query results."))
        durationHistogram = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "tapedeck", metricName: "query_duration", unitName: "seconds",
                                             helpText: "Time from a query's admission to the end of its response."),
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
                      .seconds(30), .seconds(120)])
    }

    /// Counts one response by its status (`tapedeck_http_requests_total{code=…}`).
    func countResponse(_ status: HTTPStatus) {
        let counter = lock.withLock { () -> Counter in
            if let counter = responseCounters[status.code] { return counter }
            let counter = registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "tapedeck", subsystem: "http", metricName: "requests",
                                                 unitName: "total", helpText: "HTTP responses by status code."),
                labels: [("code", String(status.code))])
            responseCounters[status.code] = counter
            return counter
        }
        counter.increment()
    }

    /// Takes a query slot if fewer than `limit` queries run; false if the limit is reached
    /// (and counts the rejection).
    func admitQuery(limit: Int) -> Bool {
        let admitted = lock.withLock { () -> Bool in
            guard counts.active < limit else {
                counts.outcomes[.rejected, default: 0] += 1
                return false
            }
            counts.active += 1
            return true
        }
        if admitted { activeGauge.increment() } else { outcomeCounters[.rejected]?.increment() }
        return admitted
    }

    /// Releases a query slot and counts how the query ended; nil for a request refused as a
    /// client error after admission (counted only as its HTTP status).
    func finishQuery(_ outcome: QueryOutcome?, truncated: Bool, bytes: Int, packets: Int, seconds: Double) {
        lock.withLock {
            counts.active -= 1
            if let outcome { counts.outcomes[outcome, default: 0] += 1 }
            if truncated { counts.truncated += 1 }
        }
        activeGauge.decrement()
        guard let outcome else { return }
        outcomeCounters[outcome]?.increment()
        if truncated { truncatedCounter.increment() }
        bytesCounter.increment(by: Int64(bytes))
        packetsCounter.increment(by: Int64(packets))
        durationHistogram.record(.nanoseconds(Int64(seconds * 1e9)))
    }

    /// A snapshot of the query counts.
    var queryCounts: QueryCounts { lock.withLock { counts } }

    /// Sets a gauge that describes the store or the server, for a scrape.
    func setGauge(_ name: String, _ help: String, _ value: Double, labels: [(String, String)] = []) {
        registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "tapedeck", metricName: name, unitName: "", helpText: help),
                           labels: labels).set(value)
    }
}
