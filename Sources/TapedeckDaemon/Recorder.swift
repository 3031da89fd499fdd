#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization
import TapedeckCapture
import TapedeckCore
import TapedeckPOSIX
import TapedeckStorage

/// Records live traffic into a store: one capture thread per ring copies packets into blocks
/// (never waiting on anything but a free block), the store's writer thread compresses and writes
/// them, and the recorder's own loop syncs the store, logs the capture counters and writes them
/// beside the store. ``stop()`` (from a signal) drains the rings, seals and returns.
public final class Recorder: @unchecked Sendable {
    /// Counters of one capture thread, for the log and the summary.
    public struct ThreadStatistics: Sendable, Equatable {
        public var interface: String
        public var thread: Int
        public var capture: CaptureStatistics
    }

    /// What a recording did.
    public struct Summary: Sendable, Equatable {
        public var threads: [ThreadStatistics]
        public var packetsStored: UInt64 { threads.reduce(0) { $0 + $1.capture.packetsDelivered } }
        public var packetsDropped: UInt64 { threads.reduce(0) { $0 + $1.capture.packetsDropped } }
    }

    private let configuration: RecorderConfiguration
    private let logger: Logger
    private let writer: StoreWriter
    private let captures: [Capture]
    private let control = ConditionLock()
    private var stopRequested = false
    private var failure: (any Error)?

    /// One ring and its thread.
    private final class Capture: @unchecked Sendable {
        let interface: String
        let index: Int
        var source: any LivePacketSource
        let stopHandle: CaptureStopHandle
        let statistics = Mutex(CaptureStatistics())
        /// When the capture thread last read the source's counters (monotonic seconds).
        var lastStatisticsRead = 0.0

        init(interface: String, index: Int, source: any LivePacketSource) {
            self.interface = interface
            self.index = index
            self.source = source
            stopHandle = source.stopHandle
        }
    }

    /// Opens the store (recovering it) and every capture source; nothing is captured until
    /// ``run()``.
    public init(store directory: String, configuration: RecorderConfiguration, logger: Logger) throws {
        guard !configuration.interfaces.isEmpty else {
            throw CaptureError.invalidConfiguration(reason: "no interface to record from")
        }
        guard configuration.threadsPerInterface >= 1,
              configuration.threadsPerInterface == 1 || configuration.source == .afpacket else {
            throw CaptureError.invalidConfiguration(reason: "more than one thread per interface needs --source afpacket")
        }
        self.configuration = configuration
        self.logger = logger
        var captures: [Capture] = []
        for (position, interface) in configuration.interfaces.enumerated() {
            // One fanout group per interface, distinct within this process.
            let group = UInt16(truncatingIfNeeded: (UInt32(getpid()) &* 31 &+ UInt32(position)) & 0xFFFF)
            for index in 0..<configuration.threadsPerInterface {
                let source: any LivePacketSource
                switch configuration.source {
                case .afpacket:
                    var ring = AFPacketConfiguration(interface: interface)
                    ring.ringSize = configuration.ringSize
                    ring.blockSize = configuration.ringBlockSize
                    ring.snapLength = configuration.snapLength
                    ring.promiscuous = configuration.promiscuous
                    ring.filter = configuration.filter
                    ring.fanoutGroup = configuration.threadsPerInterface > 1 ? group : nil
                    source = try AFPacketSource(configuration: ring)
                case .pcap:
                    var live = PcapLiveConfiguration(interface: interface)
                    live.bufferSize = configuration.ringSize
                    live.snapLength = configuration.snapLength
                    live.promiscuous = configuration.promiscuous
                    live.filter = configuration.filter
                    source = try PcapLiveSource(configuration: live)
                }
                captures.append(Capture(interface: interface, index: index, source: source))
            }
        }
        self.captures = captures
        writer = try StoreWriter(directory: directory, configuration: configuration.store, logger: logger)
        for segment in writer.recoveryReport.recovered {
            logger.warning("recovered a segment interrupted by a crash", metadata: [
                "segment": "\(segment.id)", "packets": "\(segment.packets)", "truncated_bytes": "\(segment.truncatedBytes)",
            ])
        }
    }

    /// Asks the recording to stop; safe from any thread (a signal handler thread, a test).
    public func stop() {
        control.withLock {
            stopRequested = true
            control.broadcast()
        }
        for capture in captures { capture.stopHandle.stop() }
    }

    /// Captures until ``stop()``: starts a thread per ring, syncs the store every
    /// `syncInterval`, logs counters every `statisticsInterval`; then drains the rings, seals
    /// the store and returns what was captured. Throws the first capture or store failure.
    public func run() throws -> Summary {
        var threads: [OSThread] = []
        for capture in captures {
            let appender = writer.makeAppender()
            threads.append(try OSThread(name: "capture-\(capture.interface)-\(capture.index)") { [self] in
                capturePackets(capture, appender: appender)
            })
        }
        var lastStatistics = monotonicSeconds()
        while true {
            let stopping = control.withLock { () -> Bool in
                if !stopRequested { control.wait(timeoutSeconds: configuration.syncInterval) }
                return stopRequested
            }
            if stopping { break }
            do {
                try writer.sync()
            } catch {
                recordFailure(error)
                stop()
                break
            }
            if monotonicSeconds() - lastStatistics >= configuration.statisticsInterval {
                lastStatistics = monotonicSeconds()
                logStatistics()
                writeStatisticsFile()
            }
        }
        for thread in threads { thread.join() }
        writeStatisticsFile()
        var closeError: (any Error)?
        do { try writer.close() } catch { closeError = error }
        let summary = Summary(threads: captures.map {
            ThreadStatistics(interface: $0.interface, thread: $0.index, capture: $0.statistics.withLock { $0 })
        })
        if let failure = control.withLock({ failure }) ?? closeError { throw failure }
        return summary
    }

    private func capturePackets(_ capture: Capture, appender: BlockAppender) {
        let latency = configuration.blockLatency
        let timeout = max(1, Int(latency * 1000 / 2))
        var sinceCheck = 0
        do {
            while !capture.source.isFinished {
                if let packet = try capture.source.next(timeoutMilliseconds: timeout) {
                    try appender.append(packet)
                    sinceCheck += 1
                    if sinceCheck >= 256 {
                        sinceCheck = 0
                        appender.closeBlock(ifOpenLongerThan: latency)
                        updateStatistics(capture, every: 1.0)
                    }
                } else {
                    appender.closeBlock(ifOpenLongerThan: latency)
                    updateStatistics(capture, every: 1.0)
                }
            }
            appender.closeBlock()
            updateStatistics(capture, every: 0)
        } catch {
            appender.closeBlock()
            recordFailure(error)
            stop()
        }
    }

    /// Reads the source's counters if `interval` seconds passed since the last read (the kernel's
    /// counters are 32-bit and reset on read, so they are collected at least every second).
    private func updateStatistics(_ capture: Capture, every interval: Double) {
        let now = monotonicSeconds()
        guard interval == 0 || now - capture.lastStatisticsRead >= interval else { return }
        capture.lastStatisticsRead = now
        if let statistics = try? capture.source.statistics() {
            capture.statistics.withLock { $0 = statistics }
        }
    }

    private func logStatistics() {
        for capture in captures {
            let statistics = capture.statistics.withLock { $0 }
            logger.log(level: statistics.packetsDropped > 0 ? .warning : .notice, "capture", metadata: [
                "interface": "\(capture.interface)", "thread": "\(capture.index)",
                "received": "\(statistics.packetsReceived)", "stored": "\(statistics.packetsDelivered)",
                "dropped": "\(statistics.packetsDropped)", "ring_full_events": "\(statistics.ringFullEvents)",
            ])
        }
    }

    /// Writes the capture counters to `capture-stats.json` in the store (see Storage/FORMAT.md),
    /// for other processes (`tapedeck serve`, monitoring) to read.
    private func writeStatisticsFile() {
        let threads = captures.map { capture -> String in
            let statistics = capture.statistics.withLock { $0 }
            return "{\"interface\":\"\(capture.interface)\",\"thread\":\(capture.index),"
                + "\"received\":\(statistics.packetsReceived),\"stored\":\(statistics.packetsDelivered),"
                + "\"dropped\":\(statistics.packetsDropped),\"ringFullEvents\":\(statistics.ringFullEvents)}"
        }
        let json = "{\"updated\":\"\(Timestamp.now())\",\"threads\":[\(threads.joined(separator: ","))]}\n"
        do {
            try FileSystem.writeAtomically(directory: writer.directory, name: Recorder.statisticsFileName, bytes: Array(json.utf8))
        } catch {
            logger.warning("cannot write capture statistics", metadata: ["error": "\(error)"])
        }
    }

    /// The file in the store directory that holds the latest capture counters.
    public static let statisticsFileName = "capture-stats.json"

    private func recordFailure(_ error: any Error) {
        control.withLock {
            if failure == nil { failure = error }
        }
        logger.error("recording failed", metadata: ["error": "\(error)"])
    }
}

/// Seconds on the monotonic clock (`clock_gettime(CLOCK_MONOTONIC)`).
func monotonicSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}
