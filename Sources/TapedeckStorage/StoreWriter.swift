import Logging
import Synchronization
import TapedeckCore
import TapedeckPOSIX

/// Appends packets to a store. Producers (an importer, one capture thread per ring) each fill
/// blocks through a ``BlockAppender``, which copies each packet once and notes its index keys;
/// one writer thread compresses, checksums and writes whole blocks, cuts and seals segments,
/// applies retention and keeps the catalog. Producers wait only when every block of the pool
/// is in flight.
///
/// One writer per store at a time (an `flock` on `lock` in the store directory).
public final class StoreWriter: @unchecked Sendable {
    /// How segments and blocks are cut.
    public struct Configuration: Sendable {
        /// Packet-time span a segment stays under (default 60 s).
        public var segmentDuration: Int64 = 60_000_000_000
        /// Payload bytes (packets plus 16-byte record headers, before compression) a segment may
        /// hold (default 1 GiB); a data file never exceeds it by more than headers.
        public var segmentMaxBytes: Int64 = 1 << 30
        /// Uncompressed payload bytes at which a block is closed (default 256 KiB).
        public var blockSize: Int = 256 << 10
        /// Blocks in flight between the producers and the writer thread (default 8), on top of
        /// the one each producer fills.
        public var pipelineDepth: Int = 8
        /// How much the store may keep (default: no limit). With a disk budget, segments are cut
        /// at an eighth of the budget at most (and 1 MiB at least), so that the store never holds
        /// more than the budget plus one segment.
        public var retention = RetentionPolicy()
        /// Longest time between two retention checks while packets are flushed (default 10 s);
        /// retention is also checked whenever a segment is sealed.
        public var retentionInterval: Double = 10
        /// The first segment id a downstream consumer (the Kafka publisher) has not acknowledged
        /// completely, asked before each deletion (default: none, nothing is protected). Retention
        /// keeps such segments unless the disk budget, the minimum free space or a full disk forces
        /// their deletion; then they are counted as lost (`DeletionTotals.unacknowledged…`) and
        /// logged as errors.
        public var firstUnacknowledgedSegment: (@Sendable () -> UInt64?)?

        /// The defaults.
        public init() {}
    }

    /// The store directory.
    public let directory: String
    /// What opening the store repaired.
    public let recoveryReport: RecoveryReport
    let configuration: Configuration
    let logger: Logger
    /// Segment size limit after capping it by the disk budget.
    let segmentMaxBytes: Int64
    private let lock: FileLock
    private let jobs: BlockingQueue<Job>
    let freeBlocks: BlockingQueue<BlockBuffer>
    private var thread: OSThread?
    private var defaultAppender: BlockAppender?
    private var isClosed = false

    // Owned by the writer thread, read by others under `state`.
    let state = ConditionLock()
    var catalog: Catalog
    private var failure: StorageError?
    /// Set once `failure` is, so that producers can check it without taking the lock.
    let failed = Atomic<Bool>(false)
    /// When retention was last checked (monotonic seconds); written by the writer thread.
    var lastRetentionCheck = 0.0

    private enum Job {
        case block(BlockBuffer)
        case seal
        case sync(FlushTicket)
        case stop
    }

    /// Opens (creating if needed) the store at `directory` for appending: takes the lock, runs
    /// recovery (see ``RecoveryReport``), applies retention, and starts the writer thread.
    public init(directory: String, configuration: Configuration = Configuration(), logger: Logger) throws(StorageError) {
        self.directory = directory
        self.configuration = configuration
        self.logger = logger
        do { try FileSystem.createDirectory(directory) } catch { throw .system(error) }
        do {
            lock = try FileLock(path: "\(directory)/lock")
        } catch {
            if error.code == Errno.wouldBlock { throw .locked(path: directory) }
            throw .system(error)
        }
        (catalog, recoveryReport) = try StoreRecovery.recover(directory: directory, logger: logger)
        if !FileSystem.exists("\(directory)/\(Catalog.fileName)") {
            do { try catalog.write(directory: directory) } catch { throw .system(error) }
        }
        segmentMaxBytes = try StoreWriter.segmentLimit(configuration, directory: directory)
        let depth = max(1, configuration.pipelineDepth)
        jobs = BlockingQueue(capacity: depth + 4)
        freeBlocks = BlockingQueue(capacity: 1024)
        for _ in 0..<depth { freeBlocks.push(BlockBuffer(targetLength: configuration.blockSize)) }
        // Before the writer thread starts: a policy may have been tightened since the last run.
        try enforceRetention(activeBytes: 0, activeLatest: nil)
        do {
            thread = try OSThread(name: "tapedeck-writer") { [self] in runWriter() }
        } catch { throw .system(error) }
    }

    deinit {
        if !isClosed { try? close() }
    }

    /// A new producer of blocks, for one thread. Each appender holds one block of its own; hand
    /// its last block over with ``BlockAppender/closeBlock()`` before ``close()``.
    public func makeAppender() -> BlockAppender {
        freeBlocks.push(BlockBuffer(targetLength: configuration.blockSize))
        return BlockAppender(writer: self, block: BlockBuffer(targetLength: configuration.blockSize))
    }

    /// Appends `record` through the writer's own appender (for a single producing thread).
    public func append(_ record: PacketRecord) throws(StorageError) {
        if isClosed { throw .closed }
        if defaultAppender == nil { defaultAppender = makeAppender() }
        try defaultAppender!.append(record)
    }

    /// Hands over the writer's own appender's block and makes everything handed over durable
    /// (`fdatasync`); when it returns, those packets are on disk and readable by queries.
    public func flush() throws(StorageError) {
        if isClosed { throw .closed }
        defaultAppender?.closeBlock()
        try sync()
    }

    /// Makes every block handed over so far durable (`fdatasync`), and checks retention if it
    /// has not been checked for `retentionInterval` seconds.
    public func sync() throws(StorageError) {
        let ticket = FlushTicket()
        jobs.push(.sync(ticket))
        if let error = ticket.wait() { throw error }
    }

    /// Seals the segment being written once the blocks handed over so far are written; later
    /// blocks go to a new segment.
    public func sealSegment() {
        defaultAppender?.closeBlock()
        jobs.push(.seal)
    }

    /// Hands over the writer's own appender's block, seals the current segment, syncs, stops
    /// the writer thread and releases the store's lock. The writer cannot be used afterwards.
    public func close() throws(StorageError) {
        guard !isClosed else { return }
        sealSegment()
        let ticket = FlushTicket()
        jobs.push(.sync(ticket))
        let error = ticket.wait()
        jobs.push(.stop)
        thread?.join()
        isClosed = true
        defaultAppender = nil
        lock.release()
        if let error { throw error }
    }

    /// The sealed segments, as the catalog lists them now.
    public var sealedSegments: [SegmentSummary] {
        state.withLock { catalog.sealed }
    }

    /// The writer thread's sticky failure, if it failed.
    var currentFailure: StorageError? {
        failed.load(ordering: .acquiring) ? state.withLock { failure } : nil
    }

    /// Queues a full block for the writer thread (called by appenders).
    func submit(_ block: BlockBuffer) {
        block.finishKeys()
        jobs.push(.block(block))
    }

    // MARK: - Writer thread

    private func runWriter() {
        var segment: SegmentWriter?
        while true {
            switch jobs.pop() {
            case .block(let block):
                if currentFailure == nil {
                    do {
                        if let open = segment, exceedsSegment(open, adding: block) {
                            segment = nil
                            try seal(open)
                        }
                        if segment == nil { segment = try makingSpace { () throws(StorageError) in try openSegment() } }
                        let writing = segment!
                        try makingSpace { () throws(StorageError) in try writing.write(block) }
                    } catch {
                        fail(error)
                    }
                }
                block.reset()
                freeBlocks.push(block)
            case .seal:
                guard let sealing = segment else { continue }
                segment = nil
                guard currentFailure == nil else { continue }
                do { try seal(sealing) } catch { fail(error) }
            case .sync(let ticket):
                do {
                    try segment?.sync()
                    if monotonicNow() - lastRetentionCheck >= configuration.retentionInterval {
                        try enforceRetention(activeBytes: segment?.length ?? 0,
                                             activeLatest: segment.map { Timestamp(nanoseconds: $0.totals.latest) })
                    }
                } catch {
                    fail(error)
                }
                ticket.complete(state.withLock { failure })
            case .stop:
                return
            }
        }
    }

    /// Whether `block` would take `segment` past its time span or size.
    private func exceedsSegment(_ segment: SegmentWriter, adding block: BlockBuffer) -> Bool {
        let totals = segment.totals
        guard totals.packets > 0 else { return false }
        let (span, overflow) = max(totals.latest, block.latest).subtractingReportingOverflow(min(totals.earliest, block.earliest))
        return overflow || span >= configuration.segmentDuration || segment.payloadBytes + Int64(block.used) > segmentMaxBytes
    }

    private func seal(_ sealing: SegmentWriter) throws(StorageError) {
        let summary = try makingSpace { () throws(StorageError) in try sealing.seal() }
        try makingSpace { () throws(StorageError) in
            try updateCatalog { catalog in
                catalog.activeSegmentID = nil
                catalog.sealed.append(summary)
            }
        }
        logger.debug("sealed segment", metadata: [
            "segment": "\(sealing.files.name)", "packets": "\(summary.packets)",
            "data_bytes": "\(summary.dataBytes)", "index_bytes": "\(summary.indexBytes)",
        ])
        try enforceRetention(activeBytes: 0, activeLatest: nil)
    }

    /// Runs `body`; when the disk is full, deletes the oldest sealed segment and tries again,
    /// until it succeeds or there is nothing left to delete. (A failed write leaves no partial
    /// block behind, so trying again is safe.)
    private func makingSpace<Result>(_ body: () throws(StorageError) -> Result) throws(StorageError) -> Result {
        while true {
            do {
                return try body()
            } catch {
                guard case .system(let errno) = error, errno.code == Errno.noSpace else { throw error }
                let victim = state.withLock { catalog.sealed.min(by: RetentionOrder.isOlder) }
                guard let victim else { throw error }
                // Deleting to make room is forced, acknowledged by a consumer or not.
                logger.warning("disk full: deleting the oldest segment to make room", metadata: [
                    "segment": "\(SegmentFiles(directory: directory, id: victim.id).name)", "error": "\(errno)",
                ])
                try deleteSegments([victim])
            }
        }
    }

    private func openSegment() throws(StorageError) -> SegmentWriter {
        let id = state.withLock { catalog.nextSegmentID }
        let writer: SegmentWriter
        do {
            writer = try SegmentWriter(files: SegmentFiles(directory: directory, id: id), created: .now())
        } catch { throw .system(error) }
        try updateCatalog { $0.activeSegmentID = id }
        return writer
    }

    /// Applies `change` to the catalog and writes it; on failure the catalog in memory is left
    /// as it was.
    func updateCatalog(_ change: (inout Catalog) -> Void) throws(StorageError) {
        var updated = state.withLock { catalog }
        change(&updated)
        do { try updated.write(directory: directory) } catch { throw .system(error) }
        state.withLock { catalog = updated }
    }

    private func fail(_ error: StorageError) {
        logger.error("store writer failed", metadata: ["error": "\(error)"])
        state.withLock { if failure == nil { failure = error } }
        failed.store(true, ordering: .releasing)
    }
}

/// A one-shot completion a producer waits on while the writer thread syncs.
private final class FlushTicket: @unchecked Sendable {
    private let lock = ConditionLock()
    private var done = false
    private var error: StorageError?

    func complete(_ error: StorageError?) {
        lock.withLock {
            self.error = error
            done = true
            lock.broadcast()
        }
    }

    func wait() -> StorageError? {
        lock.withLock {
            while !done { lock.wait() }
            return error
        }
    }
}
