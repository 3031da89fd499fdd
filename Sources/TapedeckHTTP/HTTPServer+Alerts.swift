#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TapedeckAlerts
import TapedeckCore
import TapedeckPOSIX
import TapedeckQuery
import TapedeckStorage

extension HTTPServer {
    /// Most alerts in one request.
    static let maxAlertsPerRequest = 1000

    /// `POST /v1/alerts`: the body is a Suricata EVE alert, an array or NDJSON of them; the
    /// answer is the pcap of the union of their queries (``AlertQuery``), by `granularity` and
    /// padded by `before`/`after`. With `wait=DURATION`, a window that reaches past what the
    /// store holds is waited for (at most that long) before the query runs.
    func alerts(_ exchange: HTTPExchange) throws {
        let parameters = try Parameters(exchange.request, allowed: Parameters.outputNames.union(
            ["granularity", "before", "after", "wait"]))
        var query = AlertQuery(granularity: try parameters.choice("granularity", AlertGranularity.self) ?? .flow)
        query.paddingBefore = try parameters.duration("before") ?? AlertQuery.defaultPadding
        query.paddingAfter = try parameters.duration("after") ?? AlertQuery.defaultPadding
        let wait = Double(try parameters.duration("wait") ?? 0) / 1e9
        guard wait <= configuration.maxAlertWait else {
            throw HTTPError.invalidParameter("wait", "at most \(configuration.maxAlertWait) s")
        }
        let alerts: [EVEAlert]
        do {
            alerts = try EVEReader.alerts(in: exchange.request.body)
        } catch {
            throw HTTPError(.badRequest, "invalid alert", detail: error.description, position: error.offset)
        }
        guard alerts.count <= Self.maxAlertsPerRequest else {
            throw HTTPError(.badRequest, "too many alerts",
                            detail: "\(alerts.count) alerts; at most \(Self.maxAlertsPerRequest) per request")
        }
        guard let expression = query.expression(for: alerts) else {
            throw HTTPError(.badRequest, "invalid alert", detail: "no alert in the body")
        }
        var pcap = PcapRequest(expression: expression)
        try parameters.applyOutputOptions(to: &pcap)
        if pcap.limits.maxPackets == 0 { pcap.limits.maxPackets = nil }
        if pcap.limits.maxBytes == 0 { pcap.limits.maxBytes = nil }
        let window = query.window(of: alerts)
        if alerts.count == 1, let flowID = alerts[0].flowID {
            pcap.filenameStem = "tapedeck-alert-\(HTTPDate.compact(alerts[0].timestamp))-\(flowID)"
        } else {
            pcap.filenameStem = Self.filenameStem(for: window, prefix: "tapedeck-alerts")
        }
        try streamPcap(exchange, pcap) { try waitForStore(until: window.end, atMost: wait) }
    }

    /// Waits until the store holds everything captured before `end` or `seconds` pass, by the
    /// evidence consumer's rule (``WindowReadiness``): the newest stored packet is at or after
    /// `end`, or the clock is 1.5 s past `end` (a recorder makes packets queryable within a second). Polls the catalog and the active segment
    /// every 100 ms; returns early when the server shuts down.
    func waitForStore(until end: Timestamp, atMost seconds: Double) throws {
        guard seconds > 0 else { return }
        let deadline = monotonicSeconds() + seconds
        while true {
            let newest = (try? StoreReader(directory: storeDirectory))?.newestPacketTime
            let readiness = WindowReadiness.of(TimeWindow(start: .distantPast, end: end), oldest: nil, newest: newest,
                                               now: .now(), flushLatency: 1_500_000_000)
            if readiness == .complete { return }
            let remaining = deadline - monotonicSeconds()
            guard remaining > 0 else { return }
            var descriptors = [pollfd(fd: cutDescriptor, events: Int16(POLLIN), revents: 0)]
            let ready = try descriptors.withUnsafeMutableBufferPointer { (pointer) throws(Errno) in
                try Poll.wait(pointer, timeoutMilliseconds: Int32(min(remaining, 0.1) * 1000) + 1)
            }
            if ready > 0 {
                throw HTTPError(.serviceUnavailable, "shutting down", detail: "the server is stopping",
                                headers: HTTPHeaders([("Retry-After", "5")]))
            }
        }
    }
}
