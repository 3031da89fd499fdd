import Logging
import Synchronization
import TapedeckAlerts
import TapedeckCore
import TapedeckKafka
import TapedeckPOSIX
import TapedeckStorage

/// Turns Suricata alerts from Kafka into evidence: consumes EVE JSON from the alerts topic in a
/// consumer group, waits until each alert's padded window is complete in the store
/// (``WindowReadiness``), carves its pcap (``AlertQuery``), and writes the pcap and its sidecar
/// durably into the ``EvidenceDirectory``; only then is the message's offset committed, so a
/// crash loses no alert (at least once) and a redelivered alert finds itself in a sidecar.
///
/// Alerts of one flow inside the first one's window share its evidence: the sidecar gets every
/// alert. Bad input never stops the consumer: records of other event types are counted and
/// skipped, alerts that cannot be served are logged and counted per reason, alerts whose window
/// retention deleted are counted as expired.
///
/// ``run()`` loops on the calling thread until ``stop()``.
public final class EvidenceConsumer: Sendable {
    private let configuration: EvidenceConfiguration
    private let logger: Logger
    private let consumer: KafkaConsumer
    private let producer: KafkaProducer?
    private let shared = Mutex(Shared())
    private let loop: Mutex<LoopState>

    /// What ``stop()`` and ``statistics`` share with the loop.
    private struct Shared {
        var stopping = false
        var statistics = EvidenceStatistics()
    }

    /// An alert waiting for its window, or for a retry.
    private struct Pending {
        var message: KafkaConsumerMessage
        var alert: EVEAlert
        var json: JSONValue
        var window: TimeWindow
        var notBefore: Timestamp = .distantPast

        /// `topic[partition]@offset`, for the log.
        var place: String { "\(message.topic)[\(message.partition)]@\(message.offset)" }
    }

    /// The loop's own state (only the loop thread touches it).
    private struct LoopState: ~Copyable {
        var directory: EvidenceDirectory
        var pending: [Pending] = []
        var offsets = OffsetTracker()
    }

    /// The longest one pass carves alerts before their files are committed and their offsets
    /// with them, in seconds: the latency a backlog adds, and about the most work a crash redoes.
    static let passDuration = 0.1

    /// How long a failed attempt (store or file error) waits before the next.
    static let retryDelay: Int64 = 1_000_000_000

    /// Opens the evidence directory and joins the consumer group (and starts the notification
    /// producer, if configured); nothing is consumed until ``run()``.
    public init(configuration: EvidenceConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        loop = Mutex(LoopState(directory: try EvidenceDirectory(path: configuration.evidenceDirectory)))
        consumer = try KafkaConsumer(configuration: configuration.consumer, topics: [configuration.alertsTopic], logger: logger)
        producer = try configuration.notificationProducer.map { (producerConfiguration) throws(KafkaError) in
            try KafkaProducer(configuration: producerConfiguration, logger: logger) { [logger] report in
                if case .failure(let error) = report.status {
                    logger.warning("evidence notification not delivered", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// The counters so far.
    public var statistics: EvidenceStatistics { shared.withLock { $0.statistics } }

    /// Makes ``run()`` return (within about 100 ms), leaving waiting alerts uncommitted for the
    /// next run.
    public func stop() {
        shared.withLock { $0.stopping = true }
    }

    /// Consumes, carves and commits until ``stop()``; then leaves the group.
    /// - Throws: a fatal Kafka error.
    public func run() throws {
        logger.info("evidence consumer started", metadata: [
            "topic": "\(configuration.alertsTopic)", "group": "\(configuration.consumer.groupID)",
            "store": "\(configuration.store)", "evidence": "\(configuration.evidenceDirectory)",
        ])
        var lastStatistics = EvidenceStatistics()
        var lastStatisticsWrite = 0.0
        var lastPrune = -Double.infinity
        defer {
            writeStatistics()
            producer?.close(timeout: .seconds(10))
            do { try consumer.close() } catch { logger.warning("closing the Kafka consumer failed", metadata: ["error": "\(error)"]) }
            logger.info("evidence consumer stopped")
        }
        while !shared.withLock({ $0.stopping }) {
            try receive()
            let notified = processPending()
            if notified > 0, let producer {
                do { try producer.flush(timeout: .seconds(10)) } catch {
                    logger.warning("evidence notifications not delivered yet", metadata: ["error": "\(error)"])
                }
            }
            commit()
            let now = monotonicSeconds()
            if let maxAge = configuration.maxAge, now - lastPrune >= 60 {
                lastPrune = now
                prune(maxAge: maxAge)
            }
            if now - lastStatisticsWrite >= 1 {
                let current = statistics
                if current != lastStatistics {
                    writeStatistics()
                    lastStatistics = current
                }
                lastStatisticsWrite = now
            }
        }
    }

    /// Takes the messages that arrive within 100 ms (at most 1000, and none while too many
    /// alerts wait).
    private func receive() throws {
        let room = loop.withLock { configuration.maxPending - $0.pending.count }
        guard room > 0 else {
            MonotonicClock.sleep(until: MonotonicClock.now() + 50_000_000)
            return
        }
        var timeout = Duration.milliseconds(loop.withLock { $0.pending.isEmpty } ? 100 : 50)
        for _ in 0..<min(room, 1000) {
            guard let message = try consumer.poll(timeout: timeout) else { return }
            timeout = .zero
            accept(message)
        }
    }

    /// Parses one message: an alert to wait for, or something to count and skip.
    private func accept(_ message: KafkaConsumerMessage) {
        count { $0.consumed += 1 }
        let place = "\(message.topic)[\(message.partition)]@\(message.offset)"
        loop.withLock { $0.offsets.received(topic: message.topic, partition: message.partition, offset: message.offset) }
        let json: JSONValue
        do {
            json = try JSONParser.parse(message.value)
        } catch {
            reject(message, AlertError(message: "invalid JSON: \(error.message)", reason: .malformedJSON, offset: error.offset),
                   place: place)
            return
        }
        if let eventType = json["event_type"], eventType.string != "alert" {
            count { $0.ignored += 1 }
            logger.debug("skipping an EVE record that is not an alert", metadata: ["message": "\(place)", "event_type": "\(eventType.serialized)"])
            finish(message)
            return
        }
        let alert: EVEAlert
        do {
            alert = try EVEAlert(json: json)
        } catch {
            reject(message, error, place: place)
            return
        }
        let window = configuration.query.window(of: alert)
        loop.withLock { $0.pending.append(Pending(message: message, alert: alert, json: json, window: window)) }
    }

    private func reject(_ message: KafkaConsumerMessage, _ error: AlertError, place: String) {
        count { $0.rejected[error.reason, default: 0] += 1 }
        logger.warning("skipping an alert that cannot be served", metadata: [
            "message": "\(place)", "reason": "\(error.reason.rawValue)", "error": "\(error.description)",
        ])
        finish(message)
    }

    /// What serving one alert staged (or why nothing was).
    private enum Outcome {
        /// A new pcap and sidecar.
        case written(EvidenceRecord)
        /// The alert joined its flow's sidecar.
        case merged(EvidenceRecord)
        /// Nothing to write.
        case nothing
    }

    /// Serves the waiting alerts whose windows are complete, in arrival order, for at most
    /// ``passDuration``, staging their files, then commits the staged files at once (one
    /// directory fsync for the batch) and only then marks the alerts handled; returns how many
    /// notifications it published.
    private func processPending() -> Int {
        guard loop.withLock({ !$0.pending.isEmpty }) else { return 0 }
        let store = Result { () throws(StorageError) in try StoreReader(directory: configuration.store) }
        let oldest = try? store.get().oldestPacketTime
        let newest = try? store.get().newestPacketTime
        let now = Timestamp.now()
        var notified = 0
        let deadline = monotonicSeconds() + Self.passDuration
        loop.withLock { state in
            var waiting: [Pending] = []
            var staged: [(item: Pending, outcome: Outcome)] = []
            for var item in state.pending {
                guard item.notBefore <= now, monotonicSeconds() < deadline else {
                    waiting.append(item)
                    continue
                }
                let readiness = WindowReadiness.of(item.window, oldest: oldest, newest: newest, now: now,
                                                   flushLatency: configuration.flushLatency)
                switch readiness {
                case .waitUntil:
                    waiting.append(item)
                case .expired:
                    count { $0.expired += 1 }
                    logger.warning("skipping an alert whose window retention deleted", metadata: [
                        "message": "\(item.place)", "window_end": "\(item.window.end)",
                        "oldest_packet": "\(oldest.map { "\($0)" } ?? "none")",
                    ])
                    state.offsets.finished(item.message)
                case .complete:
                    do {
                        let outcome = try serve(item, store: store, directory: state.directory)
                        if case .nothing = outcome {
                            state.offsets.finished(item.message)
                        } else {
                            staged.append((item, outcome))
                        }
                    } catch {
                        count { $0.failures += 1 }
                        logger.error("cannot carve the evidence of an alert; retrying", metadata: [
                            "message": "\(item.place)", "error": "\(error)",
                        ])
                        item.notBefore = now.advanced(byNanoseconds: Self.retryDelay)
                        waiting.append(item)
                    }
                }
            }
            do {
                try state.directory.commit()
            } catch {
                state.directory.discard()
                count { $0.failures += staged.count }
                logger.error("cannot write evidence files; retrying", metadata: ["alerts": "\(staged.count)", "error": "\(error)"])
                state.pending = staged.map { entry in
                    var item = entry.item
                    item.notBefore = now.advanced(byNanoseconds: Self.retryDelay)
                    return item
                } + waiting
                return
            }
            for (item, outcome) in staged {
                state.offsets.finished(item.message)
                if durable(item, outcome) { notified += 1 }
            }
            state.pending = waiting
        }
        let waiting = loop.withLock { $0.pending.count }
        count { $0.pending = waiting }
        return notified
    }

    /// Counts and logs one alert whose files are durable, and notifies; returns whether a
    /// notification was published.
    private func durable(_ item: Pending, _ outcome: Outcome) -> Bool {
        switch outcome {
        case .written(let record):
            count { $0.written += 1 }
            var metadata: Logger.Metadata = ["id": "\(record.id)", "packets": "\(record.packets)", "bytes": "\(record.bytes)"]
            if let produced = item.message.timestamp {
                metadata["latency_ms"] = "\(Double(Timestamp.now().nanoseconds - produced.nanoseconds) / 1e6)"
            }
            logger.info("evidence written", metadata: metadata)
            return notify(record)
        case .merged(let record):
            count { $0.merged += 1 }
            logger.info("alert added to its flow's evidence", metadata: [
                "message": "\(item.place)", "id": "\(record.id)", "alerts": "\(record.alerts.count)",
            ])
            return notify(record)
        case .nothing:
            return false
        }
    }

    /// Stages the evidence of one alert whose window is complete, or adds the alert to its
    /// flow's (staged) sidecar.
    private func serve(_ item: Pending, store: Result<StoreReader, StorageError>, directory: EvidenceDirectory) throws -> Outcome {
        let alert = item.alert
        let flowID = alert.evidenceFlowID
        if let record = directory.existing(flowID: flowID, holding: item.json) {
            count { $0.redelivered += 1 }
            logger.info("alert already in evidence", metadata: ["message": "\(item.place)", "id": "\(record.id)"])
            return .nothing
        }
        let stem = EvidenceName.stem(time: alert.timestamp, signatureID: alert.signatureID ?? 0, flowID: flowID)
        if var record = directory.existing(flowID: flowID, containing: alert.timestamp) ?? directory.record(flowID: flowID, id: stem) {
            record.alerts.append(item.json)
            record.written = .now()
            try directory.stageSidecar(record)
            return .merged(record)
        }
        let expression = configuration.query.expression(for: alert)
        let carving = try EvidenceCarver.carve(expression, store: try store.get(), maxBytes: configuration.maxEvidenceBytes)
        guard carving.packets > 0 else {
            count { $0.empty += 1 }
            logger.notice("no packets for an alert; no evidence written", metadata: ["message": "\(item.place)", "query": "\(expression)"])
            return .nothing
        }
        if carving.truncated {
            logger.warning("evidence cut at the size limit", metadata: ["id": "\(stem)", "limit": "\(configuration.maxEvidenceBytes)"])
        }
        return .written(try directory.stage(pcap: carving.bytes, record: EvidenceRecord(
            id: stem, alerts: [item.json], query: expression.description, granularity: configuration.query.granularity,
            window: item.window, packets: carving.packets, bytes: 0, sha256: "", signatureID: alert.signatureID ?? 0,
            flowID: flowID, alertTime: alert.timestamp, written: .now())))
    }

    /// Publishes the sidecar of `record` to the notification topic, if configured.
    private func notify(_ record: EvidenceRecord) -> Bool {
        guard let producer else { return false }
        do {
            try producer.produce(topic: configuration.notificationTopic, key: Array(record.id.utf8),
                                 value: Array(record.json.serialized.utf8))
            count { $0.notified += 1 }
            return true
        } catch {
            logger.warning("cannot publish an evidence notification", metadata: ["id": "\(record.id)", "error": "\(error)"])
            return false
        }
    }

    private func finish(_ message: KafkaConsumerMessage) {
        loop.withLock { $0.offsets.finished(message) }
    }

    /// Commits every partition whose handled prefix grew.
    private func commit() {
        let positions = loop.withLock { $0.offsets.commitPositions }
        guard !positions.isEmpty else { return }
        do {
            try consumer.commit(nextOffsets: positions)
            loop.withLock { $0.offsets.committed(positions) }
        } catch {
            logger.warning("Kafka commit failed; retrying", metadata: ["positions": "\(positions)", "error": "\(error)"])
        }
    }

    private func prune(maxAge: Int64) {
        do {
            let deleted = try loop.withLock { (state) throws(EvidenceError) in
                try state.directory.prune(writtenBefore: Timestamp.now().advanced(byNanoseconds: -maxAge))
            }
            if deleted > 0 {
                count { $0.pruned += deleted }
                logger.notice("deleted old evidence", metadata: ["count": "\(deleted)"])
            }
        } catch {
            logger.warning("cannot prune the evidence directory", metadata: ["error": "\(error)"])
        }
    }

    private func writeStatistics() {
        do {
            try statistics.write(toDirectory: configuration.evidenceDirectory)
        } catch {
            logger.warning("cannot write the evidence counters", metadata: ["error": "\(error)"])
        }
    }

    /// Logs a failure of ``run()`` on a thread that cannot throw it.
    func logError(_ message: Logger.Message, _ error: any Error) {
        logger.error(message, metadata: ["error": "\(error)"])
    }

    private func count(_ update: (inout EvidenceStatistics) -> Void) {
        shared.withLock { update(&$0.statistics) }
    }
}
