import TapedeckAlerts
import TapedeckCore
import TapedeckQuery
import TapedeckStorage

extension HTTPServer {
    /// `GET /v1/stats`: the store's window, bytes, segments, rates and deletions, the query
    /// counts, the connections, the recorder's capture counters and the Kafka flow publisher's
    /// counters and lag.
    func statistics(_ exchange: HTTPExchange) throws {
        try checkNoParameters(exchange.request)
        let store = try? StoreReader(directory: storeDirectory)
        let counts = metrics.queryCounts
        func count(_ outcome: ServerMetrics.QueryOutcome) -> JSONValue { .integer(counts.outcomes[outcome] ?? 0) }
        let queries = JSONValue.object([
            ("active", .integer(counts.active)), ("maxConcurrent", .integer(configuration.maxConcurrentQueries)),
            ("served", count(.served)), ("rejected", count(.rejected)), ("timedOut", count(.timedOut)),
            ("clientGone", count(.clientGone)), ("failed", count(.failed)), ("truncated", .integer(counts.truncated)),
        ])
        let connections = JSONValue.object([
            ("open", .integer(openConnections)), ("max", .integer(configuration.maxConnections)),
        ])
        try exchange.respond(json: .object([
            ("store", store.map(Self.storeJSON) ?? .null),
            ("queries", queries),
            ("connections", connections),
            ("capture", StoreStatus.captureStatistics(in: storeDirectory) ?? .null),
            ("flowPublisher", StoreStatus.flowPublisherStatistics(in: storeDirectory) ?? .null),
            ("evidence", configuration.evidenceDirectory.flatMap(EvidenceStatistics.read(fromDirectory:))?.json ?? .null),
        ]))
    }

    static func storeJSON(_ store: StoreReader) -> JSONValue {
        let report = RetentionReport(segments: store.sealedSegments, deleted: store.deleted)
        let oldest = StoreStatus.oldestPacket(in: store)
        let newest = StoreStatus.newestPacket(in: store)
        func time(_ value: Timestamp?) -> JSONValue { value.map { .string(timeText($0)) } ?? .null }
        func rate(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }
        let seconds = oldest.flatMap { start in newest.map { Double($0.nanoseconds - start.nanoseconds) / 1e9 } } ?? 0
        let deleted = store.deleted
        return .object([
            ("window", .object([("start", time(oldest)), ("end", time(newest)), ("seconds", .double(seconds))])),
            ("segments", .object([
                ("sealed", .integer(report.segments)),
                ("active", store.activeSegmentID.map { .integer($0) } ?? .null),
            ])),
            ("packets", .integer(store.sealedSegments.reduce(UInt64(0)) { $0 + $1.packets })),
            ("bytes", .object([
                ("data", .integer(report.dataBytes)), ("index", .integer(report.indexBytes)),
                ("stored", .integer(report.dataBytes + report.indexBytes)),
                ("captured", .integer(report.capturedBytes)), ("original", .integer(report.originalBytes)),
            ])),
            ("compressionRatio", rate(report.compressionRatio)),
            ("rates", .object([
                ("lastHourBytesPerSecond", rate(report.rateLastHour)),
                ("lastDayBytesPerSecond", rate(report.rateLastDay)),
                ("windowBytesPerSecond", rate(report.rateWindow)),
            ])),
            ("deletions", .object([
                ("segments", .integer(deleted.segments)), ("packets", .integer(deleted.packets)),
                ("capturedBytes", .integer(deleted.capturedBytes)), ("storedBytes", .integer(deleted.storedBytes)),
                ("unacknowledgedSegments", .integer(deleted.unacknowledgedSegments)),
                ("unacknowledgedPackets", .integer(deleted.unacknowledgedPackets)),
            ])),
        ])
    }

    /// The flow publisher's counters exported as gauges: JSON key, metric name, help.
    static let flowPublisherGauges = [
        ("chunksPublished", "flow_publisher_chunks_published", "Flow chunks the publisher handed to Kafka (this run)."),
        ("bytesPublished", "flow_publisher_bytes_published", "Bytes of flow chunk pcaps handed to Kafka (this run)."),
        ("chunksAcknowledged", "flow_publisher_chunks_acknowledged", "Flow chunks Kafka acknowledged (this run)."),
        ("openFlows", "flow_publisher_lag_open_flows", "Lag: flows in the flow table, not yet published to their end."),
        ("pendingChunks", "flow_publisher_lag_chunks", "Lag: flow chunks handed to Kafka and not yet acknowledged."),
        ("pendingBytes", "flow_publisher_lag_bytes", "Lag: bytes of the flow chunks not yet acknowledged."),
        ("oldestPendingSeconds", "flow_publisher_lag_oldest_seconds", "Lag: age of the oldest unacknowledged flow chunk."),
        ("deliveryFailures", "flow_publisher_delivery_failures", "Kafka deliveries that failed (and were retried)."),
        ("lostSegments", "flow_publisher_lost_segments", "Store segments deleted by retention before their flows were published."),
    ]

    /// The evidence consumer's counters (from its file in the evidence directory) as gauges.
    private func setEvidenceGauges(_ evidence: EvidenceStatistics) {
        let help = "Evidence consumer counter from the evidence directory's .evidence-stats.json, by outcome."
        for (outcome, value) in [("consumed", evidence.consumed), ("ignored", evidence.ignored), ("written", evidence.written),
                                 ("merged", evidence.merged), ("redelivered", evidence.redelivered), ("expired", evidence.expired),
                                 ("empty", evidence.empty), ("failures", evidence.failures), ("notified", evidence.notified),
                                 ("pruned", evidence.pruned)] {
            metrics.setGauge("evidence_alerts", help, Double(value), labels: [("outcome", outcome)])
        }
        for reason in AlertError.Reason.allCases {
            metrics.setGauge("evidence_alerts_rejected", "Alerts the evidence consumer could not serve, by reason.",
                             Double(evidence.rejected[reason] ?? 0), labels: [("reason", reason.rawValue)])
        }
        metrics.setGauge("evidence_alerts_pending", "Alerts waiting for their windows to complete.", Double(evidence.pending))
    }

    /// RFC 3339 in UTC with nanoseconds.
    static func timeText(_ time: Timestamp) -> String { time.description }

    /// `GET /metrics`: Prometheus text exposition of the registry, with the store gauges
    /// refreshed first.
    func prometheusMetrics(_ exchange: HTTPExchange) throws {
        try checkNoParameters(exchange.request)
        if let store = try? StoreReader(directory: storeDirectory) {
            let report = RetentionReport(segments: store.sealedSegments, deleted: store.deleted)
            metrics.setGauge("store_segments", "Sealed segments in the store.", Double(report.segments))
            metrics.setGauge("store_data_bytes", "Bytes of the sealed segments' data files.", Double(report.dataBytes))
            metrics.setGauge("store_index_bytes", "Bytes of the sealed segments' index files.", Double(report.indexBytes))
            metrics.setGauge("store_captured_bytes", "Captured packet bytes in the sealed segments.", Double(report.capturedBytes))
            metrics.setGauge("store_packets", "Packets in the sealed segments.",
                             Double(store.sealedSegments.reduce(UInt64(0)) { $0 + $1.packets }))
            if let oldest = StoreStatus.oldestPacket(in: store) {
                metrics.setGauge("store_oldest_packet_timestamp_seconds", "Time of the oldest stored packet.", Double(oldest.nanoseconds) / 1e9)
            }
            if let newest = StoreStatus.newestPacket(in: store) {
                metrics.setGauge("store_newest_packet_timestamp_seconds", "Time of the newest stored packet.", Double(newest.nanoseconds) / 1e9)
            }
            metrics.setGauge("store_deleted_segments", "Segments retention has deleted.", Double(store.deleted.segments))
            metrics.setGauge("store_deleted_packets", "Packets retention has deleted.", Double(store.deleted.packets))
            metrics.setGauge("store_deleted_unacknowledged_packets",
                             "Packets retention deleted before a downstream consumer acknowledged them.",
                             Double(store.deleted.unacknowledgedPackets))
        }
        if case .object(let capture)? = StoreStatus.captureStatistics(in: storeDirectory),
           let threads = capture.first(where: { $0.key == "threads" })?.value, case .array(let entries) = threads {
            for entry in entries {
                let labels = [("interface", entry["interface"]?.string ?? ""), ("thread", entry["thread"].map { $0.string ?? $0.serialized } ?? "")]
                for (key, name) in [("received", "capture_received_packets"), ("stored", "capture_stored_packets"),
                                    ("dropped", "capture_dropped_packets"), ("ringFullEvents", "capture_ring_full_events")] {
                    if let value = entry[key]?.double {
                        metrics.setGauge(name, "Recorder counter '\(key)' from capture-stats.json.", value, labels: labels)
                    }
                }
            }
        }
        if let publisher = StoreStatus.flowPublisherStatistics(in: storeDirectory)?["publisher"] {
            for (key, name, help) in Self.flowPublisherGauges {
                if let value = publisher[key]?.double { metrics.setGauge(name, help, value) }
            }
        }
        if let evidence = configuration.evidenceDirectory.flatMap(EvidenceStatistics.read(fromDirectory:)) {
            setEvidenceGauges(evidence)
        }
        metrics.setGauge("http_connections_open", "HTTP connections open now.", Double(openConnections))
        try exchange.respond(.ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metrics.registry.emitToBuffer())
    }
}
