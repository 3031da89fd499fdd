import Logging
import Synchronization
import TapedeckCore
import TapedeckPOSIX

/// Appends packets to a store. The appending thread copies each packet into a block and notes
/// its index keys; a writer thread compresses, checksums and writes whole blocks, seals segments
/// and keeps the catalog, so that ingestion never waits on disk except when the pipeline is full.
///
/// One writer per store at a time (an `flock` on `lock` in the store directory).
public final class StoreWriter: @unchecked Sendable {
    /// How segments and blocks are cut.
    public struct Configuration: Sendable {
        /// Packet-time span after which a segment is sealed (default 60 s).
        public var segmentDuration: Int64 = 60_000_000_000
        /// Payload bytes (packets plus 16-byte record headers, before compression) after which a
        /// segment is sealed (default 1 GiB); a data file never exceeds it by more than headers.
        public var segmentMaxBytes: Int64 = 1 << 30
        /// Uncompressed payload bytes at which a block is closed (default 256 KiB).
        public var blockSize: Int = 256 << 10
        /// Blocks in flight between the appending thread and the writer thread (default 8).
        public var pipelineDepth: Int = 8
        /// How much the store may keep (default: no limit). With a disk budget, segments are cut
        /// at an eighth of the budget at most (and 1 MiB at least), so that the store never holds
        /// more than the budget plus one segment.
        public var retention = RetentionPolicy()
        /// Longest time between two retention checks while packets are flushed (default 10 s);
        /// retention is also checked whenever a segment is sealed.
        public var retentionInterval: Double = 10

        /// The defaults.
        public init() {}
    }

    /// The store directory.
    public let directory: String
    /// What opening the store repaired.
    public let recoveryReport: RecoveryReport
    let configuration: Configuration
    /// Segment size limit after capping it by the disk budget.
    private let segmentMaxBytes: Int64
    let logger: Logger
    private let lock: FileLock
    private let jobs: BlockingQueue<Job>
    private let freeBlocks: BlockingQueue<BlockBuffer>
    private var thread: OSThread?
    private var current: BlockBuffer
    private var segmentEarliest = Int64.max
    private var segmentLatest = Int64.min
    private var segmentBytes: Int64 = 0
    private var segmentOpen = false
    /// Keys of the current segment, gathered as packets are appended.
    private var index = SegmentIndexBuilder()
    private var isClosed = false

    // Owned by the writer thread, read by others under `state`.
    let state = ConditionLock()
    var catalog: Catalog
    /// When retention was last checked (monotonic seconds); written by the writer thread.
    var lastRetentionCheck = 0.0
    private var failure: StorageError?
    /// Set once `failure` is, so that `append` can check it without taking the lock.
    private let failed = Atomic<Bool>(false)

    private enum Job {
        case block(BlockBuffer)
        case seal(SegmentIndexBuilder)
        case flush(FlushTicket)
        case stop
    }

    /// Opens (creating if needed) the store at `directory` for appending: takes the lock, runs
    /// recovery (see ``RecoveryReport``), and starts the writer thread.
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
        let depth = max(2, configuration.pipelineDepth)
        jobs = BlockingQueue(capacity: depth + 4)
        freeBlocks = BlockingQueue(capacity: depth)
        for _ in 0..<depth - 1 { freeBlocks.push(BlockBuffer(targetLength: configuration.blockSize)) }
        current = BlockBuffer(targetLength: configuration.blockSize)
        // Before the writer thread starts: a policy may have been tightened since the last run.
        try enforceRetention(activeBytes: 0, activeLatest: nil)
        do {
            thread = try OSThread(name: "tapedeck-writer") { [self] in runWriter() }
        } catch { throw .system(error) }
    }

    deinit {
        if !isClosed { try? close() }
    }

    /// Copies `record` into the current block. Throws if the writer thread failed (the error is
    /// sticky) or the packet is larger than a block accepts.
    public func append(_ record: PacketRecord) throws(StorageError) {
        if isClosed { throw .closed }
        if failed.load(ordering: .acquiring), let failure = state.withLock({ self.failure }) { throw failure }
        let length = record.bytes.count
        guard length <= BlockBuffer.maxPacketLength else {
            throw .invalidPacket(reason: "\(length) captured bytes exceed the \(BlockBuffer.maxPacketLength)-byte limit")
        }
        let time = record.timestamp.nanoseconds
        let recordBytes = Int64(length + PacketPayload.recordHeaderSize)
        if segmentOpen {
            let earliest = min(segmentEarliest, time)
            let latest = max(segmentLatest, time)
            let (span, overflow) = latest.subtractingReportingOverflow(earliest)
            if overflow || span >= configuration.segmentDuration || segmentBytes + recordBytes > segmentMaxBytes {
                sealSegment()
            }
        }
        if !segmentOpen {
            segmentOpen = true
            segmentEarliest = time
            segmentLatest = time
            segmentBytes = 0
        }
        segmentEarliest = min(segmentEarliest, time)
        segmentLatest = max(segmentLatest, time)
        segmentBytes += recordBytes
        if !current.isEmpty, current.linkType != record.linkType { closeBlock() }
        current.append(record)
        index.add(record)
        if current.isFull { closeBlock() }
    }

    /// Writes every packet appended so far and makes it durable (`fdatasync`); when it returns,
    /// those packets are on disk and readable by queries.
    public func flush() throws(StorageError) {
        if isClosed { throw .closed }
        closeBlock()
        let ticket = FlushTicket()
        jobs.push(.flush(ticket))
        if let error = ticket.wait() { throw error }
    }

    /// Seals the segment being written, so that it gets its index; packets appended later go
    /// to a new segment.
    public func sealSegment() {
        guard segmentOpen else { return }
        closeBlock()
        jobs.push(.seal(index))
        index = SegmentIndexBuilder()
        segmentOpen = false
    }

    /// Flushes, seals the current segment and stops the writer thread. The writer cannot be used
    /// afterwards.
    public func close() throws(StorageError) {
        guard !isClosed else { return }
        sealSegment()
        let ticket = FlushTicket()
        jobs.push(.flush(ticket))
        let error = ticket.wait()
        jobs.push(.stop)
        thread?.join()
        isClosed = true
        if let error { throw error }
    }

    /// The sealed segments, as the catalog lists them now.
    public var sealedSegments: [SegmentSummary] {
        state.withLock { catalog.sealed }
    }

    private func closeBlock() {
        guard !current.isEmpty else { return }
        index.closeBlock()
        jobs.push(.block(current))
        current = freeBlocks.pop()
    }

    // MARK: - Writer thread

    private func runWriter() {
        var segment: SegmentWriter?
        while true {
            switch jobs.pop() {
            case .block(let block):
                if state.withLock({ failure == nil }) {
                    do {
                        if segment == nil { segment = try makingSpace { () throws(StorageError) in try openSegment() } }
                        let writing = segment!
                        try makingSpace { () throws(StorageError) in try writing.write(block) }
                    } catch {
                        fail(error)
                    }
                }
                block.reset()
                freeBlocks.push(block)
            case .seal(let keys):
                guard let sealing = segment else { continue }
                segment = nil
                guard state.withLock({ failure == nil }) else { continue }
                do {
                    let summary = try makingSpace { () throws(StorageError) in try sealing.seal(keys: keys) }
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
                } catch {
                    fail(error)
                }
            case .flush(let ticket):
                do {
                    try segment?.sync()
                    if monotonicNow() - lastRetentionCheck >= configuration.retentionInterval {
                        try enforceRetention(activeBytes: segment?.length ?? 0, activeLatest: segment?.latest)
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

    func updateCatalog(_ change: (inout Catalog) -> Void) throws(StorageError) {
        let updated: Catalog = state.withLock {
            change(&catalog)
            return catalog
        }
        do { try updated.write(directory: directory) } catch { throw .system(error) }
    }

    private func fail(_ error: StorageError) {
        logger.error("store writer failed", metadata: ["error": "\(error)"])
        state.withLock { if failure == nil { failure = error } }
        failed.store(true, ordering: .releasing)
    }
}

/// A one-shot completion the appending thread waits on while the writer thread flushes.
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
