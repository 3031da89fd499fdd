import Synchronization
import TapedeckFlows
import TapedeckKafka
import TapedeckPOSIX

/// The second stage of a ``FlowPublisher``: a thread of its own that turns flow chunks and
/// stream segments into Kafka messages (a chunk's pcap, the contract's headers) and hands them
/// to the publishers, while the publishing thread goes on reading the store and running the flow
/// table.
///
/// Items are sent in batches, in the order given; a bounded queue between the threads makes
/// ``send(_:)`` wait while the sender is behind (a full Kafka window or queue waits there). The
/// first publishing error stops the sending: later batches are dropped (what is not acknowledged
/// is published again after a restart) and ``send(_:)`` and ``waitUntilSent()`` throw it.
final class FlowMessageSender: @unchecked Sendable {
    /// One message to send, with its position in its topic's sequence.
    enum Item: Sendable {
        /// A chunk for the flows topic.
        case chunk(FlowChunk, sequence: UInt64)
        /// A stream segment for the streams topic.
        case segment(StreamSegment, sequence: UInt64)

        /// The bytes the item holds (what bounds a batch).
        var byteCount: Int {
            switch self {
            case .chunk(let chunk, _): chunk.pcapByteCount
            case .segment(let segment, _): segment.bytes.count
            }
        }
    }

    /// What was handed to Kafka.
    struct Counters: Sendable {
        var chunks: UInt64 = 0
        var bytes: UInt64 = 0
        var flows: UInt64 = 0
        var streamSegments: UInt64 = 0
        var streamBytes: UInt64 = 0
    }

    /// Batches the queue holds before ``send(_:)`` waits.
    static let queuedBatches = 16

    private let kafka: DurablePublisher<UInt64>
    private let streams: DurablePublisher<UInt64>?
    private let sensor: String
    private let queue = BlockingQueue<[Item]?>(capacity: queuedBatches)
    private let progress = ConditionLock()
    // Guarded by `progress`.
    private var batchesQueued = 0
    private var batchesDone = 0
    private var failure: FlowPublisherError?
    private var thread: OSThread?
    private let sent = Mutex(Counters())

    /// A sender to `kafka` (chunks) and `streams` (segments) for sensor `sensor`; ``start()`` starts it.
    init(kafka: DurablePublisher<UInt64>, streams: DurablePublisher<UInt64>?, sensor: String) {
        self.kafka = kafka
        self.streams = streams
        self.sensor = sensor
    }

    /// What was handed to Kafka so far.
    var counters: Counters { sent.withLock { $0 } }

    /// Starts the sending thread.
    func start() throws(FlowPublisherError) {
        do {
            thread = try OSThread(name: "flow-sender") { [self] in run() }
        } catch {
            throw .thread(error)
        }
    }

    /// Queues `batch` (waiting while the queue is full).
    ///
    /// - Throws: the error that stopped the sending, if one did.
    func send(_ batch: [Item]) throws(FlowPublisherError) {
        guard !batch.isEmpty else { return }
        try progress.withLock { () throws(FlowPublisherError) in
            if let failure { throw failure }
            batchesQueued += 1
        }
        queue.push(batch)
    }

    /// Waits until every queued batch was handed to Kafka.
    ///
    /// - Throws: the error that stopped the sending, if one did.
    func waitUntilSent() throws(FlowPublisherError) {
        try progress.withLock { () throws(FlowPublisherError) in
            while batchesDone < batchesQueued { progress.wait() }
            if let failure { throw failure }
        }
    }

    /// Stops the thread once it has worked through the queue.
    func stop() {
        guard let thread else { return }
        queue.push(nil)
        thread.join()
        self.thread = nil
    }

    /// The sending thread: publishes batch after batch until the stop marker.
    private func run() {
        while let batch = queue.pop() {
            let stopped = progress.withLock { failure != nil }
            var error: FlowPublisherError?
            if !stopped {
                do throws(FlowPublisherError) { try publish(batch) } catch let publishError { error = publishError }
            }
            progress.withLock {
                if let error, failure == nil { failure = error }
                batchesDone += 1
                progress.broadcast()
            }
        }
    }

    private func publish(_ batch: [Item]) throws(FlowPublisherError) {
        var counted = Counters()
        defer {
            sent.withLock {
                $0.chunks += counted.chunks
                $0.bytes += counted.bytes
                $0.flows += counted.flows
                $0.streamSegments += counted.streamSegments
                $0.streamBytes += counted.streamBytes
            }
        }
        for item in batch {
            switch item {
            case .chunk(let chunk, let sequence):
                let unit = FlowChunkMessage.unit(for: chunk, sequence: sequence, sensor: sensor)
                do { try kafka.publish(unit) } catch { throw .publisher(error) }
                counted.chunks += 1
                counted.bytes += UInt64(unit.value.count)
                if chunk.isFinal { counted.flows += 1 }
            case .segment(let segment, let sequence):
                guard let streams else { continue }
                let unit = FlowChunkMessage.unit(for: segment, sequence: sequence, sensor: sensor)
                do { try streams.publish(unit) } catch { throw .publisher(error) }
                counted.streamSegments += 1
                counted.streamBytes += UInt64(unit.value.count)
            }
        }
    }
}
