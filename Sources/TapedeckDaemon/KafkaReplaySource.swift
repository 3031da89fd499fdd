import Logging
import TapedeckCore
import TapedeckKafka
import TapedeckReplay

/// A Kafka topic of flow chunks as a ``TapedeckReplay/ReplaySource``: each message's value is a
/// pcap file (`api/asyncapi.yaml`, `tapedeck.flows`), whose packets are returned in order.
///
/// ## Order
/// Messages are read in partition order (the producer keys them by flow id, so every chunk of a
/// flow is in one partition, in order), and the packets of a message in file order: a flow's
/// packets go out in the order they were captured. Messages of different partitions interleave.
///
/// ## At least once
/// Offsets are committed in the consumer group only for messages all of whose packets the
/// replayer acknowledged in ``packetsSent(_:)`` (handed to the kernel, or left out or failed),
/// at most every ``KafkaReplayConfiguration/commitInterval``, and the rest at ``close()``.
/// A replayer killed and started again with the same group resends what was not committed and
/// misses nothing.
///
/// ## Duplicates
/// The flow publisher delivers at least once, so a chunk can be in the topic twice
/// (`api/asyncapi.yaml`). A message whose `tapedeck-flow-id` and `tapedeck-chunk` headers name a
/// chunk this source already read is skipped, counted, and committed like a sent one; the source
/// remembers up to ``maximumRememberedChunks`` chunks, then starts over (logged). Messages
/// without those headers are all replayed. A replayer killed and restarted resends what it had
/// not committed: those duplicates are not caught.
///
/// ## Malformed values
/// A value that is not a pcap file, or a damaged one (``TapedeckCore/PcapBytesError``), is
/// skipped whole, counted in ``statistics`` and logged (the first few one by one), and committed
/// like a sent message.
///
/// ## The end
/// With ``KafkaReplayConfiguration/follow`` the source waits for messages until the stop handle
/// given to ``init(configuration:stopHandle:logger:)`` is stopped. Otherwise each partition ends
/// at the high watermark it had when the group assigned it (messages produced later are not read,
/// and not committed), and the source ends once every partition the group assigned it has ended;
/// a stop ends it too. Before it waits for a message, ``hasPacketAtHand()`` says so, and the
/// replayer sends what it has queued.
///
/// ## Memory
/// One message is held at a time; its packets are returned as pointers into the value librdkafka's
/// message was copied into, without another copy.
///
/// ## Threads
/// The replayer's thread owns the source.
public final class KafkaReplaySource: ReplaySource {
    /// `kafka topic NAME`, for messages.
    public let name: String
    /// What was consumed, left out and committed so far.
    public private(set) var statistics = KafkaReplayStatistics()

    private let configuration: KafkaReplayConfiguration
    private let consumer: KafkaConsumer
    private let stopHandle: ReplayStopHandle?
    private let logger: Logger

    /// The value of the message whose packets are being returned, and where its reader is.
    private var value: [UInt8] = []
    private var reader: PcapBytesReader?
    /// An event ``hasPacketAtHand()`` polled, for ``next()``.
    private var polled: KafkaConsumerEvent?
    /// Packets returned in all.
    private var returned = 0
    /// Which messages are handled, and so which offsets may be committed.
    private var offsets = OffsetTracker()
    /// The messages read whose packets are not all acknowledged yet, in the order they were read,
    /// each with the number of packets returned in all once its last packet was (for a message
    /// without packets: before it). Packets are acknowledged in the order they were returned, so
    /// the messages done are a prefix.
    private var unacknowledged: [(partition: Int32, offset: Int64, lastPacket: Int)] = []
    private var lastCommit = ContinuousClock.now
    /// Per partition, the high watermark when the group assigned it (or, assigned later, when its
    /// first message came); and the partitions read to it.
    private var ends: [Int32: Int64] = [:]
    private var finished: Set<Int32> = [] {
        didSet { needsEndCheck = true }
    }
    /// Whether the group's first assignment has been seen (and its partitions' ends taken).
    private var assignmentSeen = false
    /// When the source subscribed, and whether it warned that the group assigns nothing.
    private let created = ContinuousClock.now
    private var warnedAboutAssignment = false
    /// A partition ended since the last look at whether they all have.
    private var needsEndCheck = false

    /// How many malformed messages are logged one by one.
    private static let loggedMalformed = 10
    /// How many (flow id, chunk index) pairs the source remembers to skip duplicates: 1 Mi, about 32 MiB.
    public static let maximumRememberedChunks = 1 << 20

    /// The chunks read, by flow id and chunk index.
    private var seenChunks: Set<ChunkIdentity> = []

    /// Subscribes to the topic in the configuration's consumer group. Without
    /// ``KafkaReplayConfiguration/follow``, first asks the leader of partition 0 for its
    /// watermarks, so that a topic that does not exist or a cluster that cannot be reached fails
    /// here, before anything is sent.
    ///
    /// - Parameter stopHandle: the replayer's; a wait for messages ends when it is stopped.
    /// - Throws: ``TapedeckReplay/ReplayError/source(name:reason:)`` with the Kafka error.
    public init(configuration: KafkaReplayConfiguration, stopHandle: ReplayStopHandle?, logger: Logger) throws(ReplayError) {
        let name = "kafka topic \(configuration.topic)"
        var consumerConfiguration = configuration.consumer
        consumerConfiguration.reportsPartitionEnd = true
        do {
            consumer = try KafkaConsumer(configuration: consumerConfiguration, topics: [configuration.topic], logger: logger)
            if !configuration.follow {
                _ = try consumer.watermarks(topic: configuration.topic, partition: 0, timeout: configuration.brokerTimeout)
            }
        } catch {
            throw .source(name: name, reason: error.description)
        }
        self.name = name
        self.configuration = configuration
        self.stopHandle = stopHandle
        self.logger = logger
    }

    public func next() throws(ReplayError) -> PacketRecord? {
        while true {
            if var reader {
                // The value is held, unchanged, until the next message replaces it: the record's
                // bytes stay where they are until the following call.
                let record = value.withUnsafeBytes { reader.next(in: $0) }
                self.reader = reader
                if let record {
                    returned &+= 1
                    return record
                }
                self.reader = nil
                value = []
            }
            guard let message = try nextMessage() else { return nil }
            start(message)
        }
    }

    /// Whether the current message has packets left, or a message is waiting in the consumer's
    /// queue (a poll that does not wait; what it gets is kept for ``next()``).
    public func hasPacketAtHand() -> Bool {
        if let reader, reader.packetsLeft > 0 { return true }
        if polled == nil {
            do { polled = try consumer.pollEvent(timeout: .zero) } catch {
                return false  // next() polls again and reports it
            }
        }
        if case .message = polled { return true }
        return false
    }

    public func packetsSent(_ count: Int) {
        let done = unacknowledged.prefix { $0.lastPacket <= count }
        for message in done {
            offsets.finished(topic: configuration.topic, partition: message.partition, offset: message.offset)
        }
        unacknowledged.removeFirst(done.count)
        if ContinuousClock.now - lastCommit >= configuration.commitInterval {
            commit()
        }
    }

    /// Commits what ``packetsSent(_:)`` acknowledged since the last commit, then leaves the group.
    public func close() {
        commit()
        do { try consumer.close() } catch {
            logger.warning("\(name): leaving the consumer group failed: \(error)")
        }
    }

    /// Takes `message` as the one whose packets come next, or counts it as a duplicate or malformed
    /// (to be committed with the packets before it).
    private func start(_ message: KafkaConsumerMessage) {
        statistics.messagesConsumed &+= 1
        if let chunk = ChunkIdentity(message) {
            if seenChunks.count >= Self.maximumRememberedChunks {
                logger.info("\(name): \(seenChunks.count) chunks read; duplicates of them are no longer recognised")
                seenChunks.removeAll()
            }
            guard seenChunks.insert(chunk).inserted else {
                statistics.messagesDuplicate &+= 1
                read(message, lastPacket: returned)
                return
            }
        }
        let parsed: Result<PcapBytesReader, PcapBytesError> = message.value.withUnsafeBytes { bytes in
            do throws(PcapBytesError) { return .success(try PcapBytesReader(validating: bytes)) } catch { return .failure(error) }
        }
        switch parsed {
        case .success(let reader):
            value = message.value
            self.reader = reader
            statistics.packetsRead &+= reader.packetCount
            read(message, lastPacket: returned + reader.packetCount)
        case .failure(let error):
            statistics.messagesMalformed &+= 1
            read(message, lastPacket: returned)
            guard statistics.messagesMalformed <= Self.loggedMalformed else { return }
            let key = message.key.map { String(decoding: $0, as: UTF8.self) } ?? "none"
            let more = statistics.messagesMalformed == Self.loggedMalformed ? " (further malformed messages are only counted)" : ""
            logger.warning("""
                \(name): message \(message.topic)[\(message.partition)]@\(message.offset) (key \(key)) \
                is not a usable pcap file: \(error); skipped\(more)
                """)
        }
    }

    /// Notes `message` as read: handled once the first `lastPacket` packets are acknowledged.
    private func read(_ message: KafkaConsumerMessage, lastPacket: Int) {
        offsets.received(topic: message.topic, partition: message.partition, offset: message.offset)
        unacknowledged.append((message.partition, message.offset, lastPacket))
    }

    /// The next message to replay, or `nil` at the end (or on a stop).
    private func nextMessage() throws(ReplayError) -> KafkaConsumerMessage? {
        while true {
            if stopHandle?.isStopRequested == true { return nil }
            if needsEndCheck {
                needsEndCheck = false
                if try everyAssignedPartitionFinished() { return nil }
            }
            let event: KafkaConsumerEvent?
            if let polled {
                event = polled
                self.polled = nil
            } else {
                do { event = try consumer.pollEvent(timeout: configuration.pollTimeout) } catch {
                    throw .source(name: name, reason: error.description)
                }
            }
            if !assignmentSeen { try learnAssignment() }
            switch event {
            case .message(let message):
                if configuration.follow { return message }
                let end = try self.end(of: message.partition)
                guard message.offset < end else { continue }  // produced after the start: not this replay's
                if message.offset + 1 >= end { finished.insert(message.partition) }
                return message
            case .partitionEnd(let position):
                guard !configuration.follow else { continue }
                if position.offset >= ends[position.partition] ?? 0, !finished.contains(position.partition) {
                    ends[position.partition] = ends[position.partition] ?? position.offset
                    finished.insert(position.partition)
                }
            case .error(let error):
                if !configuration.follow, error.code == .unknownTopic || error.code == .unknownTopicOrPartition {
                    throw .source(name: name, reason: error.description)
                }
            case nil:
                if !configuration.follow, try everyAssignedPartitionFinished() { return nil }
            }
        }
    }

    /// Once the group assigned partitions, takes the high watermark of each as its end (unless
    /// following); until then, warns once when that takes longer than the broker timeout.
    private func learnAssignment() throws(ReplayError) {
        let assigned: [KafkaTopicPartition]
        do { assigned = try consumer.assignment().filter { $0.topic == configuration.topic } } catch {
            throw .source(name: name, reason: error.description)
        }
        guard !assigned.isEmpty else {
            if !warnedAboutAssignment, ContinuousClock.now - created >= configuration.brokerTimeout {
                warnedAboutAssignment = true
                logger.warning("""
                    \(name): group \(configuration.consumer.groupID) has assigned no partition yet: other members may \
                    hold them all, or a killed member's session has to time out first (session.timeout.ms; \
                    -X group.instance.id=NAME lets a restarted replayer take its place at once)
                    """)
            }
            return
        }
        assignmentSeen = true
        if !configuration.follow {
            for partition in assigned { _ = try end(of: partition.partition) }
        }
    }

    /// The high watermark of `partition` when the source first heard of it.
    private func end(of partition: Int32) throws(ReplayError) -> Int64 {
        if let end = ends[partition] { return end }
        do {
            let end = try consumer.watermarks(topic: configuration.topic, partition: partition,
                                              timeout: configuration.brokerTimeout).high
            ends[partition] = end
            return end
        } catch {
            throw .source(name: name, reason: error.description)
        }
    }

    /// Whether the group assigned partitions and every one has been read to its end.
    private func everyAssignedPartitionFinished() throws(ReplayError) -> Bool {
        do {
            let assigned = try consumer.assignment().filter { $0.topic == configuration.topic }
            return !assigned.isEmpty && assigned.allSatisfy { finished.contains($0.partition) }
        } catch {
            throw .source(name: name, reason: error.description)
        }
    }

    /// Commits the offsets after the messages acknowledged, if they moved; on failure they are
    /// committed with the next ones.
    private func commit() {
        let positions = offsets.commitPositions
        guard !positions.isEmpty else { return }
        lastCommit = .now
        do {
            try consumer.commit(nextOffsets: positions)
            offsets.committed(positions)
            statistics.commits &+= 1
        } catch {
            statistics.commitFailures &+= 1
            logger.warning("\(name): committing offsets \(positions) failed (they are committed with the next ones): \(error)")
        }
    }
}

/// A flow chunk's identity from its message headers: flow id and chunk index.
private struct ChunkIdentity: Hashable {
    var flowID: UInt64
    var chunk: Int

    /// The identity the message's `tapedeck-flow-id` and `tapedeck-chunk` headers give, or `nil`
    /// when either is missing or unreadable.
    init?(_ message: KafkaConsumerMessage) {
        guard let flowText = message.header(KafkaHeaders.flowID)?.stringValue, let flowID = UInt64(flowText, radix: 16),
              let chunkText = message.header(KafkaHeaders.chunk)?.stringValue, let chunk = Int(chunkText)
        else { return nil }
        self.flowID = flowID
        self.chunk = chunk
    }
}
