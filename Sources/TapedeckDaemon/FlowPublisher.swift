import Logging
import Synchronization
import TapedeckCore
import TapedeckFlows
import TapedeckKafka
import TapedeckPOSIX
import TapedeckStorage

/// Publishes the flows of a store to Kafka with guaranteed delivery: the store is the
/// write-ahead log, a flow table turns its packets into flow chunks, a ``DurablePublisher``
/// sends them (and, with a streams topic, each TCP direction's reassembled payload), and a
/// ``FlowPublisherCheckpoint`` remembers how far Kafka acknowledged.
///
/// ## Delivery
/// Every chunk gets a sequence number. Once a second the publisher notes a checkpoint candidate —
/// the store position it has read to, the flows open there and the last sequence number handed
/// out — and writes the newest candidate whose sequence number Kafka has acknowledged. After a
/// restart (a `kill -9` included) it reads the store again from the first packet of the oldest
/// open flow of the checkpoint, feeds the flow table only those flows' packets until it reaches
/// the checkpoint's position (the other packets only move its clock), and drops the rebuilt
/// chunks the checkpoint says were acknowledged. Rebuilt flows get the same flow ids, and chunks
/// the same indexes, so a consumer dedupes by (flow id, chunk); what was sent after the
/// checkpoint arrives again: at least once.
///
/// ## Retention
/// ``AcknowledgementFloor`` tells retention which segments hold packets not yet safe in Kafka.
/// Segments deleted before they were read are logged and counted (``FlowPublisherStatistics/lostSegments``).
///
/// ## Threads
/// ``start()`` runs the publisher on a thread of its own until ``finish(timeout:)``: it reads the
/// store and runs the flow table, and a ``FlowMessageSender`` on a second thread builds the
/// messages and hands them to Kafka.
public final class FlowPublisher: @unchecked Sendable {
    /// The configuration.
    public let configuration: FlowPublisherConfiguration
    /// The store directory.
    public let storeDirectory: String
    private let floor: AcknowledgementFloor
    private let logger: Logger
    private let kafka: DurablePublisher<UInt64>
    /// The publisher of the streams topic, if there is one.
    private let streams: DurablePublisher<UInt64>?
    private let sender: FlowMessageSender
    private let initialCheckpoint: FlowPublisherCheckpoint?
    private let stateDirectory: String
    private let checkpointName: String
    private let control = ConditionLock()
    private var finishRequested = false
    private var timedOut = false
    private var thread: OSThread?
    private let published = Mutex(FlowPublisherStatistics())
    private let failure = Mutex<FlowPublisherError?>(nil)

    /// The directory in a store that holds the publishers' cursors and checkpoints.
    public static let stateDirectoryName = "kafka"
    /// The file in the store directory with the latest counters.
    public static let statisticsFileName = "flow-publisher-stats.json"

    /// Opens the publisher of the store at `directory`: reads its checkpoint, connects the
    /// producer, and sets `floor` to what the checkpoint has not made safe.
    public init(store directory: String, configuration: FlowPublisherConfiguration, floor: AcknowledgementFloor,
                logger: Logger) throws(FlowPublisherError) {
        self.configuration = configuration
        storeDirectory = directory
        self.floor = floor
        self.logger = logger
        stateDirectory = directory + "/" + Self.stateDirectoryName
        checkpointName = configuration.topic + ".checkpoint"
        if !FileSystem.exists(stateDirectory) {
            do { try FileSystem.createDirectory(stateDirectory) } catch {
                throw .checkpointFile(path: stateDirectory, error: error)
            }
        }
        initialCheckpoint = try FlowPublisherCheckpoint.read(directory: stateDirectory, name: checkpointName,
                                                             topic: configuration.topic)
        floor.set(initialCheckpoint?.rebuildStart.segment ?? 0)
        let stateDirectory = stateDirectory
        func open(_ topic: String) throws(FlowPublisherError) -> DurablePublisher<UInt64> {
            let publisherConfiguration = DurablePublisherConfiguration(producer: configuration.producer, topic: topic,
                                                                       cursorPath: stateDirectory + "/" + topic + ".cursor")
            do { return try DurablePublisher(configuration: publisherConfiguration, logger: logger) } catch {
                throw .publisher(error)
            }
        }
        kafka = try open(configuration.topic)
        streams = try configuration.streamsTopic.map(open)
        sender = FlowMessageSender(kafka: kafka, streams: streams, sensor: configuration.sensor)
    }

    /// Starts publishing on a thread of its own.
    public func start() throws(FlowPublisherError) {
        try sender.start()
        do {
            thread = try OSThread(name: "flow-publisher") { [self] in
                do throws(FlowPublisherError) { try run() } catch {
                    failure.withLock { $0 = error }
                    logger.error("flow publishing stopped", metadata: ["error": "\(error)"])
                }
                // After the error is known: stopping waits for what the sender still has queued.
                sender.stop()
            }
        } catch {
            sender.stop()
            throw .thread(error)
        }
    }

    /// Publishes what is stored now, ends every open flow (close reason `shutdown`), waits up to
    /// `timeout` for Kafka to acknowledge everything, writes the checkpoint and stops. When Kafka
    /// does not acknowledge in time, stops anyway: what was not acknowledged is published again
    /// by the next run.
    ///
    /// - Throws: the error that stopped the publisher early, if one did.
    @discardableResult
    public func finish(timeout: Duration) throws(FlowPublisherError) -> FlowPublisherStatistics {
        control.withLock {
            finishRequested = true
            control.broadcast()
        }
        let deadline = ContinuousClock.now + timeout
        let watchdog = try? OSThread(name: "publisher-timeout") { [self] in
            control.withLock {
                while thread != nil, ContinuousClock.now < deadline {
                    _ = control.wait(timeoutSeconds: min(0.5, max(0, (deadline - ContinuousClock.now).seconds)))
                }
            }
            // Still running: Kafka is not acknowledging. Closing makes a waiting publish give up.
            if control.withLock({ () -> Bool in
                timedOut = thread != nil
                return timedOut
            }) {
                try? kafka.close(timeout: .zero)
                try? streams?.close(timeout: .zero)
            }
        }
        thread?.join()
        control.withLock {
            thread = nil
            control.broadcast()
        }
        watchdog?.join()
        try? kafka.close(timeout: .zero)
        try? streams?.close(timeout: .zero)
        let statistics = statistics
        if control.withLock({ timedOut }) {
            throw .notAcknowledgedAtStop(timeout: timeout, chunks: statistics.pendingChunks + statistics.pendingStreamSegments)
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return statistics
    }

    /// The counters now.
    public var statistics: FlowPublisherStatistics {
        var statistics = published.withLock { $0 }
        let sent = sender.counters
        statistics.chunksPublished = sent.chunks
        statistics.bytesPublished = sent.bytes
        statistics.flowsPublished = sent.flows
        statistics.streamSegmentsPublished = sent.streamSegments
        statistics.streamBytesPublished = sent.streamBytes
        let kafkaStatistics = kafka.statistics
        statistics.chunksAcknowledged = kafkaStatistics.acknowledged
        statistics.pendingChunks = kafkaStatistics.pendingUnits
        statistics.pendingBytes = kafkaStatistics.pendingBytes
        statistics.oldestPendingSeconds = kafkaStatistics.oldestPendingAge.map(\.seconds)
        statistics.deliveryFailures = kafkaStatistics.deliveryFailures
        if let streamStatistics = streams?.statistics {
            statistics.streamSegmentsAcknowledged = streamStatistics.acknowledged
            statistics.pendingStreamSegments = streamStatistics.pendingUnits
            statistics.pendingBytes += streamStatistics.pendingBytes
            statistics.deliveryFailures += streamStatistics.deliveryFailures
            if let age = streamStatistics.oldestPendingAge?.seconds {
                statistics.oldestPendingSeconds = max(statistics.oldestPendingSeconds ?? 0, age)
            }
        }
        return statistics
    }

    // MARK: - The publishing thread

    /// What the publishing thread owns.
    private struct State {
        let tracker: FlowTracker
        let reader: StoreLogReader
        /// Below this position only the checkpoint's open flows are rebuilt.
        let resume: StoreLogPosition
        /// The checkpoint's open flows: key → first packet's position.
        var rebuilding: [FlowKey: UInt64]
        /// The checkpoint's open flows: id → chunks acknowledged before the restart.
        var acknowledgedChunks: [FlowID: UInt32]
        var chunks = ChunkCollector()
        /// Messages not yet handed to the sender, and the bytes they hold.
        var batch: [FlowMessageSender.Item] = []
        var batchBytes = 0
        /// The sequence number of the last chunk handed to Kafka.
        var sequence: UInt64
        /// The sequence number of the last stream segment handed to Kafka (when publishing them).
        var streamSequence: UInt64?
        /// Checkpoints waiting for Kafka to acknowledge their sequence number, oldest first.
        var candidates: [FlowPublisherCheckpoint] = []
    }

    private func run() throws(FlowPublisherError) {
        let checkpoint = initialCheckpoint ?? FlowPublisherCheckpoint(sequence: 0, resume: .start, openFlows: [])
        var trackerConfiguration = configuration.tracker
        trackerConfiguration.reassemblesStreams = streams != nil
        var state = State(
            tracker: FlowTracker(configuration: trackerConfiguration),
            reader: StoreLogReader(directory: storeDirectory, from: checkpoint.rebuildStart),
            resume: checkpoint.resume,
            rebuilding: Dictionary(checkpoint.openFlows.map { ($0.key, $0.origin) }, uniquingKeysWith: max),
            acknowledgedChunks: Dictionary(checkpoint.openFlows.map { ($0.id, $0.nextChunkIndex) }, uniquingKeysWith: max),
            sequence: max(checkpoint.sequence, kafka.cursor ?? 0),
            streamSequence: streams.map { max(checkpoint.streamSequence ?? 0, $0.cursor ?? 0) })
        logger.info("flow publisher started", metadata: [
            "topic": "\(configuration.topic)", "from": "\(checkpoint.rebuildStart)", "resume": "\(checkpoint.resume)",
            "open_flows": "\(checkpoint.openFlows.count)",
        ])
        var timers = Timers(checkpoint: .now, statistics: .now + configuration.statisticsInterval)
        while true {
            let finishing = control.withLock { finishRequested }
            let outcome: StoreLogReader.ReadOutcome
            do {
                var sinceClockCheck = 0
                outcome = try state.reader.readAvailable { record, position in
                    try self.handle(record, at: position, state: &state)
                    // Every 64 packets: the read counter (not a lock per packet), and a long read (a
                    // backfill, catching up after an outage) takes checkpoints and writes statistics.
                    sinceClockCheck += 1
                    guard sinceClockCheck >= 64 else { return }
                    self.published.withLock { $0.packetsRead += UInt64(sinceClockCheck) }
                    sinceClockCheck = 0
                    try self.housekeeping(&state, at: state.reader.position(after: position), timers: &timers)
                }
                published.withLock { $0.packetsRead += UInt64(sinceClockCheck) }
                try sendBatch(&state)
            } catch let error as FlowPublisherError {
                throw error
            } catch let error as StorageError {
                throw .store(error)
            } catch {
                throw .store(.invalidPacket(reason: "\(error)"))
            }
            if !outcome.skippedSegments.isEmpty {
                published.withLock { $0.lostSegments += UInt64(outcome.skippedSegments.count) }
                logger.error("store segments were deleted before their flows were published to Kafka; those flows are lost", metadata: [
                    "segments": "\(outcome.skippedSegments.map(String.init).joined(separator: ","))",
                ])
            }
            if finishing {
                state.tracker.flushAll(reason: .shutdown, into: &state.chunks)
                try publishCollected(&state)
                try sendBatch(&state)
                try sender.waitUntilSent()
                if kafka.flush(timeout: .seconds(3600)), streams?.flush(timeout: .seconds(3600)) ?? true {
                    try writeCheckpoint(FlowPublisherCheckpoint(sequence: state.sequence, streamSequence: state.streamSequence,
                                                                resume: state.reader.position, openFlows: []))
                }
                writeStatistics()
                return
            }
            if outcome.packets == 0, configuration.followsWallClock, state.reader.position >= state.resume {
                state.tracker.advanceTime(to: Timestamp(nanoseconds: Timestamp.now().nanoseconds
                                                        - configuration.wallClockMargin.nanoseconds), into: &state.chunks)
                try publishCollected(&state)
                try sendBatch(&state)
            }
            try housekeeping(&state, at: state.reader.position, timers: &timers)
            if outcome.packets == 0 {
                control.withLock {
                    if !finishRequested { _ = control.wait(timeoutSeconds: configuration.pollInterval.seconds) }
                }
            }
        }
    }

    /// When the periodic work is due next.
    private struct Timers {
        var checkpoint: ContinuousClock.Instant
        var statistics: ContinuousClock.Instant
    }

    /// What is done once an interval has passed: a checkpoint candidate at `position` (the next
    /// packet to read), the newest acknowledged candidate written, the counters logged and
    /// written to the statistics file.
    private func housekeeping(_ state: inout State, at position: StoreLogPosition, timers: inout Timers) throws(FlowPublisherError) {
        try sendBatch(&state)
        let now = ContinuousClock.now
        if now >= timers.checkpoint {
            timers.checkpoint = now + configuration.checkpointInterval
            try noteCheckpoint(&state, at: position)
        }
        try writeAcknowledgedCheckpoint(&state)
        if now >= timers.statistics {
            timers.statistics = now + configuration.statisticsInterval
            writeStatistics()
            logStatistics()
        }
    }

    /// Feeds one stored packet to the flow table and publishes what it completed.
    private func handle(_ record: PacketRecord, at position: StoreLogPosition, state: inout State) throws(FlowPublisherError) {
        if position < state.resume {
            guard let key = FlowTracker.flowKey(of: record), let origin = state.rebuilding[key], position.ordinal >= origin else {
                state.tracker.advanceTime(to: record.timestamp, into: &state.chunks)
                try publishCollected(&state)
                return
            }
        }
        state.tracker.process(record, origin: position.ordinal, into: &state.chunks)
        try publishCollected(&state)
    }

    /// Numbers the chunks and stream segments the flow table emitted and adds them to the batch
    /// for the sender, but for those acknowledged before a restart.
    private func publishCollected(_ state: inout State) throws(FlowPublisherError) {
        if !state.chunks.segments.isEmpty { try collectSegments(&state) }
        guard !state.chunks.chunks.isEmpty else { return }
        defer { state.chunks.chunks.removeAll(keepingCapacity: true) }
        for chunk in state.chunks.chunks {
            if let acknowledged = state.acknowledgedChunks[chunk.flowID] {
                if chunk.isFinal { state.acknowledgedChunks[chunk.flowID] = nil }
                if chunk.index < acknowledged {
                    published.withLock { $0.chunksAlreadyAcknowledged += 1 }
                    continue
                }
            }
            state.sequence += 1
            try batch(.chunk(chunk, sequence: state.sequence), &state)
        }
    }

    /// Adds the stream segments to the batch. A segment goes with the chunk that was being filled
    /// when it was cut; those of chunks acknowledged before a restart are not sent again.
    private func collectSegments(_ state: inout State) throws(FlowPublisherError) {
        defer { state.chunks.segments.removeAll(keepingCapacity: true) }
        guard var sequence = state.streamSequence else { return }
        defer { state.streamSequence = sequence }
        for segment in state.chunks.segments {
            if let acknowledged = state.acknowledgedChunks[segment.flowID], segment.chunkIndex < acknowledged {
                published.withLock { $0.streamSegmentsAlreadyAcknowledged += 1 }
                continue
            }
            sequence += 1
            try batch(.segment(segment, sequence: sequence), &state)
        }
    }

    /// Adds `item` to the batch, and hands the batch to the sender once it holds enough.
    private func batch(_ item: FlowMessageSender.Item, _ state: inout State) throws(FlowPublisherError) {
        state.batch.append(item)
        state.batchBytes += item.byteCount
        if state.batch.count >= 64 || state.batchBytes >= 1 << 20 { try sendBatch(&state) }
    }

    /// Hands the batch to the sender (waiting while the sender is behind).
    private func sendBatch(_ state: inout State) throws(FlowPublisherError) {
        guard !state.batch.isEmpty else { return }
        let batch = state.batch
        state.batch = []
        state.batch.reserveCapacity(64)
        state.batchBytes = 0
        try sender.send(batch)
    }

    /// Notes a checkpoint at `position`, the next packet to read (once the checkpoint's own
    /// position is passed).
    private func noteCheckpoint(_ state: inout State, at position: StoreLogPosition) throws(FlowPublisherError) {
        guard position >= state.resume else { return }
        let candidate = FlowPublisherCheckpoint(sequence: state.sequence, streamSequence: state.streamSequence,
                                                resume: position, openFlows: state.tracker.openFlows)
        if let last = state.candidates.last, last.sequence == candidate.sequence,
           last.streamSequence == candidate.streamSequence, state.candidates.count > 1 {
            state.candidates[state.candidates.count - 1] = candidate
        } else if state.candidates.count >= 8 {
            state.candidates[state.candidates.count - 1] = candidate  // bounded while Kafka is away
        } else {
            state.candidates.append(candidate)
        }
        published.withLock { $0.openFlows = candidate.openFlows.count }
    }

    /// Writes the newest candidate Kafka has acknowledged everything before (on both topics).
    private func writeAcknowledgedCheckpoint(_ state: inout State) throws(FlowPublisherError) {
        let acknowledged = kafka.cursor ?? 0
        let streamsAcknowledged = streams.map { $0.cursor ?? 0 }
        guard let index = state.candidates.lastIndex(where: { candidate in
            candidate.sequence <= acknowledged
                && (streamsAcknowledged.map { (candidate.streamSequence ?? 0) <= $0 } ?? true)
        }) else { return }
        let checkpoint = state.candidates[index]
        state.candidates.removeFirst(index + 1)
        try writeCheckpoint(checkpoint)
    }

    private func writeCheckpoint(_ checkpoint: FlowPublisherCheckpoint) throws(FlowPublisherError) {
        try checkpoint.write(directory: stateDirectory, name: checkpointName, topic: configuration.topic)
        floor.set(checkpoint.rebuildStart.segment)
        published.withLock { $0.checkpoints += 1 }
    }

    private func writeStatistics() {
        let json = "{\"updated\":\"\(Timestamp.now())\",\"topic\":\"\(configuration.topic)\",\"publisher\":\(statistics.json)}\n"
        do {
            try FileSystem.writeAtomically(directory: storeDirectory, name: Self.statisticsFileName, bytes: Array(json.utf8))
        } catch {
            logger.warning("cannot write flow publisher statistics", metadata: ["error": "\(error)"])
        }
    }

    private func logStatistics() {
        let statistics = statistics
        logger.log(level: statistics.lostSegments > 0 ? .warning : .notice, "flow publisher", metadata: [
            "chunks_published": "\(statistics.chunksPublished)", "chunks_acknowledged": "\(statistics.chunksAcknowledged)",
            "open_flows": "\(statistics.openFlows)", "pending_chunks": "\(statistics.pendingChunks)",
            "pending_bytes": "\(statistics.pendingBytes)",
            "oldest_pending_seconds": "\(statistics.oldestPendingSeconds.map { "\($0)" } ?? "-")",
            "lost_segments": "\(statistics.lostSegments)",
        ])
    }
}

/// Collects what a flow table emits.
struct ChunkCollector: FlowEventSink {
    var chunks: [FlowChunk] = []
    var segments: [StreamSegment] = []
    mutating func receive(_ chunk: FlowChunk) { chunks.append(chunk) }
    mutating func receive(_ segment: StreamSegment) { segments.append(segment) }
}
