import Logging
import TapedeckCore
import TapedeckQuery
import TapedeckStorage

extension HTTPServer {
    /// Runs `pcap` and streams the result: admission against the concurrent query limit, the
    /// store opened and the query planned before the head is sent (so store and format errors
    /// are still proper statuses), then packets written as chunks as the executor produces
    /// them. `prepare` runs after admission and before planning (the alert wait); the query time
    /// limit counts from its end.
    func streamPcap(_ exchange: HTTPExchange, _ pcap: PcapRequest,
                    prepare: () throws -> Void = {}) throws {
        guard metrics.admitQuery(limit: configuration.maxConcurrentQueries) else {
            throw HTTPError(.serviceUnavailable, "too many queries",
                            detail: "\(configuration.maxConcurrentQueries) queries are running; retry later",
                            headers: HTTPHeaders([("Retry-After", "1")]))
        }
        let started = monotonicSeconds()
        // Nil while a client error (an HTTP error before the head) would not count as a query.
        var outcome: ServerMetrics.QueryOutcome? = .failed
        var statistics = QueryStatistics()
        var truncated = false
        defer {
            metrics.finishQuery(outcome, truncated: truncated, bytes: exchange.output.bytesSent,
                                packets: statistics.packetsMatched, seconds: monotonicSeconds() - started)
        }
        try prepare()
        let deadline = monotonicSeconds() + configuration.queryTimeout
        exchange.output.timeLimit = deadline
        let store: StoreReader
        let executor: QueryExecutor
        do {
            store = try StoreReader(directory: storeDirectory)
            executor = try QueryExecutor(store: store, expression: pcap.expression)
        } catch {
            logger.warning("cannot open the store for a query", metadata: ["error": "\(error)"])
            throw Self.storeUnavailable(error)
        }
        let linkTypes = executor.linkTypes
        let format = pcap.format ?? (linkTypes.count > 1 ? .pcapng : .pcap)
        if format == .pcap, linkTypes.count > 1 {
            outcome = nil
            throw HTTPError(.badRequest, "result spans link types",
                            detail: "the result holds packets of link types \(linkTypes.map(\.description).joined(separator: ", ")); "
                                + "a pcap file has one: ask for format=pcapng")
        }
        var headers = HTTPHeaders()
        if let stem = pcap.filenameStem {
            headers.add("Content-Disposition", "attachment; filename=\"\(stem).\(format.rawValue)\"")
        }
        let canonical = pcap.expression.description
        if canonical.utf8.count <= 2048 { headers.add("Tapedeck-Query", canonical) }
        let contentType = format == .pcap ? pcap.pcapContentType : "application/x-pcapng"
        let sink = try exchange.startStream(.ok, contentType: contentType, headers: headers)
        if exchange.isHead {
            outcome = .served
            return
        }
        var limits = pcap.limits
        limits.maxBytes = min(limits.maxBytes ?? .max, configuration.maxResultBytes)
        var sinceCheck = 0
        func check() throws {
            sinceCheck += 1
            guard sinceCheck >= 256 else { return }
            sinceCheck = 0
            if monotonicSeconds() > deadline { throw QueryInterruption.timeLimit }
            if isCutting { throw QueryInterruption.shutdown }
        }
        do {
            switch format {
            case .pcap:
                let writer = PcapWriter(sink: sink, linkType: linkTypes.first ?? .ethernet, precision: pcap.precision)
                statistics = try executor.run(limits: limits) { record in
                    try check()
                    try writer.write(record)
                }
                try writer.flush()
            case .pcapng:
                let writer = PcapngWriter(sink: sink, precision: pcap.precision)
                statistics = try executor.run(limits: limits) { record in
                    try check()
                    try writer.write(record)
                }
                try writer.flush()
            }
            try sink.finish()
        } catch {
            let reason: String
            switch error {
            case let error as OutputError:
                outcome = { if case .timeLimit = error { .timedOut } else if case .cut = error { .failed } else { .clientGone } }()
                reason = error.description
            case QueryInterruption.timeLimit:
                outcome = .timedOut
                reason = "query time limit of \(configuration.queryTimeout) s reached"
            case QueryInterruption.shutdown:
                reason = "server shutting down"
            default:
                reason = "store error: \(error)"
                logger.error("query failed while streaming", metadata: ["query": "\(canonical)", "error": "\(error)"])
            }
            throw ResponseAborted(reason: reason)
        }
        outcome = .served
        let packetLimitReached = pcap.limits.maxPackets.map { statistics.packetsMatched >= $0 } ?? false
        truncated = statistics.limitReached && !packetLimitReached
            && configuration.maxResultBytes < (pcap.limits.maxBytes ?? .max)
        logger.debug("query served", metadata: [
            "query": "\(canonical)", "packets": "\(statistics.packetsMatched)", "bytes": "\(exchange.output.bytesSent)",
            "blocks": "\(statistics.blocksRead)", "seconds": "\(monotonicSeconds() - started)",
        ])
    }

    /// The answer when the store cannot be opened or read: `503` while it does not exist yet
    /// (a recorder has not created it), `500` for damage.
    static func storeUnavailable(_ error: StorageError) -> HTTPError {
        if case .notAStore = error {
            return HTTPError(.serviceUnavailable, "store unavailable",
                             detail: "the store does not exist yet (no recorder or import has created it)",
                             headers: HTTPHeaders([("Retry-After", "5")]))
        }
        return HTTPError(.internalServerError, "store error", detail: "the store could not be read; the server log has details")
    }
}
