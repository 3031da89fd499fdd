import Logging
import TapedeckCore

/// Sends the packets of a ``ReplayInput`` through an ``Injector`` at a ``ReplayRate``: tcpreplay's
/// job, for capture files, the store and Kafka topics.
///
/// ## Timing
/// Each packet's send time comes from a ``SendSchedule``, measured from the first packet: never
/// from the previous send, so that a late packet does not delay the rest and a long replay keeps
/// its rate. A packet due later than now first sends what is queued, then waits for its time
/// (``ReplayClock/wait(until:)``: sleeping for long waits, spinning for short ones); a packet due
/// now or earlier is queued at once, so a replay that fell behind catches up in batches of up to
/// ``Injector/batchLimit`` frames, which is also how ``ReplayRate/topspeed`` sends.
///
/// ## What is sent
/// Every packet's captured bytes, unchanged, in the order the sources return them. Packets the
/// interface cannot take are never dropped silently: a frame longer than the interface's MTU plus
/// its link-layer header is left out or cut, by ``ReplayConfiguration/oversize``; a packet of
/// another link type, or shorter than the link-layer header, is left out. Each is counted in
/// ``ReplayStatistics`` and the first few of each kind are logged as warnings.
///
/// ## Ending
/// At the end of the input (after ``ReplayConfiguration/loops`` passes), after
/// ``ReplayConfiguration/packetLimit`` packets, once ``ReplayConfiguration/durationNanoseconds``
/// passed, on ``stopHandle``, or when a source or the injector fails. What was queued is sent in
/// every case but the injector's failure, and ``run(_:progress:)`` returns the statistics with
/// the reason.
///
/// ## Threads
/// ``run(_:progress:)`` runs on the calling thread, once; ``stopHandle`` may be used from any.
public final class Replayer {
    /// The settings.
    public let configuration: ReplayConfiguration
    /// Stops ``run(_:progress:)`` from another thread.
    public let stopHandle = ReplayStopHandle()

    private let injector: any Injector
    private let link: InjectionLink
    private let batchLimit: Int
    private let clock: any ReplayClock
    private let logger: Logger

    private var schedule: SendSchedule
    private var statistics = ReplayStatistics()
    /// Clock reading at the first packet; `nil` before it.
    private var start: Int64?
    /// Packets queued since the last flush, and queued in all.
    private var queued = 0
    private var enqueued = 0
    private var progress: ((ReplayStatistics) -> Void)?
    private var lastProgressReport: Int64 = 0
    /// The clock at the last flush, wait or look at it, for the duration check.
    private var lastClockReading: Int64 = 0

    /// How often ``run(_:progress:)`` reports progress, and the longest it waits without looking
    /// at ``stopHandle``.
    private static let progressIntervalNanoseconds: Int64 = 250_000_000
    private static let waitSliceNanoseconds: Int64 = 100_000_000
    /// How many packets of each kind left out are logged one by one.
    private static let loggedSkips = 5

    /// A replayer that sends through `injector`.
    ///
    /// - Parameters:
    ///   - clock: the clock to schedule by; default the system's monotonic clock.
    ///   - logger: receives a warning for each of the first packets left out or cut, per kind.
    /// - Throws: ``ReplayError/invalidConfiguration(reason:)`` for a configuration
    ///   ``ReplayConfiguration/validate()`` refuses.
    public init(injector: any Injector, configuration: ReplayConfiguration,
                clock: any ReplayClock = SystemReplayClock(), logger: Logger) throws(ReplayError) {
        try configuration.validate()
        self.configuration = configuration
        self.injector = injector
        link = injector.link
        batchLimit = max(1, injector.batchLimit)
        self.clock = clock
        self.logger = logger
        schedule = SendSchedule(rate: configuration.rate)
    }

    /// Replays `input` and returns how it ended and what it did; call it once. `progress`, if
    /// given, is called on this thread with the statistics so far, about every 0.25 s.
    public func run(_ input: ReplayInput, progress: ((ReplayStatistics) -> Void)? = nil) -> ReplayResult {
        self.progress = progress
        let ending: ReplayResult.Ending
        do {
            ending = try replay(input)
        } catch {
            ending = .failed(error)
        }
        statistics.injection = injector.counts
        if let start {
            statistics.elapsedNanoseconds = clock.now() - start
        }
        return ReplayResult(ending: ending, statistics: statistics)
    }

    /// Every pass over every source, until the input ends or the replay has to stop. A pass that
    /// reads no packet at all ends the replay, also when it loops without end.
    private func replay(_ input: ReplayInput) throws(ReplayError) -> ReplayResult.Ending {
        var pass = 0
        while configuration.loops == 0 || pass < configuration.loops {
            let readBefore = statistics.packetsRead
            for open in input.openers {
                if stopHandle.isStopRequested { return .stopped }
                let source = try open()
                defer { source.close() }
                schedule.startPass()
                if let ending = try replay(source) { return ending }
            }
            // A source that watches the stop handle itself (a Kafka topic followed without end) ends on it.
            if stopHandle.isStopRequested { return .stopped }
            pass += 1
            statistics.loopsCompleted = pass
            if statistics.packetsRead == readBefore { break }
        }
        return .endOfInput
    }

    /// Sends one source's packets; returns why the replay has to stop, or `nil` at the source's end.
    private func replay(_ source: any ReplaySource) throws(ReplayError) -> ReplayResult.Ending? {
        var number = 0
        while true {
            if stopHandle.isStopRequested {
                try flush(source, acknowledging: true, handled: number)
                return .stopped
            }
            if queued > 0, !source.hasPacketAtHand() {
                try flush(source, acknowledging: false, handled: number)
            }
            let next: PacketRecord?
            do {
                next = try source.next()
            } catch {
                // What the source returned before it failed still goes out.
                try? flush(source, acknowledging: true, handled: number)
                throw error
            }
            guard let record = next else { break }
            number &+= 1
            statistics.packetsRead &+= 1
            let due = schedule.due(capturedAt: record.timestamp)
            guard let frame = frame(of: record, number: number, source: source) else { continue }
            let start = self.start ?? clock.now()
            self.start = start
            if let due {
                let now = clock.now()
                lastClockReading = now
                // From here until it is queued, `record` is read but not handled: number - 1 are.
                if let duration = configuration.durationNanoseconds, due >= duration {
                    try flush(source, acknowledging: true, handled: number - 1)
                    return .duration
                }
                if now < start &+ due {
                    try flush(source, acknowledging: false, handled: number - 1)
                    if !wait(until: start &+ due) {
                        try flush(source, acknowledging: true, handled: number - 1)
                        return .stopped
                    }
                }
            }
            // The clock as of the last flush or wait: read once per batch at top speed.
            if let duration = configuration.durationNanoseconds, lastClockReading &- start >= duration {
                try flush(source, acknowledging: true, handled: number - 1)
                return .duration
            }
            try injector.enqueue(frame)
            schedule.didSend(length: frame.count)
            queued &+= 1
            enqueued &+= 1
            if let limit = configuration.packetLimit, enqueued >= limit {
                try flush(source, acknowledging: true, handled: number)
                return .packetLimit
            }
            if queued >= batchLimit {
                try flush(source, acknowledging: false, handled: number)
            }
        }
        try flush(source, acknowledging: true, handled: number)
        return nil
    }

    /// The bytes to send for `record`, cut to what the interface takes when the policy says so;
    /// `nil` (counted, and logged for the first few) when the packet is left out.
    @inline(__always)
    private func frame(of record: PacketRecord, number: Int, source: any ReplaySource) -> UnsafeRawBufferPointer? {
        let bytes = record.bytes
        guard link.accepts(record.linkType) else {
            statistics.skippedLinkType &+= 1
            logSkip(statistics.skippedLinkType, source, number,
                    "link type \(record.linkType), but \(link.interface) sends \(link.linkType): skipped")
            return nil
        }
        guard bytes.count >= link.headerLength else {
            statistics.skippedShort &+= 1
            logSkip(statistics.skippedShort, source, number,
                    "\(bytes.count) bytes, shorter than the \(link.headerLength)-byte link-layer header: skipped")
            return nil
        }
        let limit = link.maximumLength(of: bytes)
        guard bytes.count > limit else { return bytes }
        switch configuration.oversize {
        case .skip:
            statistics.skippedOversize &+= 1
            logSkip(statistics.skippedOversize, source, number, "\(bytes.count)-byte frame is longer than \(link.interface)"
                + " sends (MTU \(link.mtu) + \(link.headerLength)-byte header = \(limit)): skipped")
            return nil
        case .truncate:
            statistics.truncated &+= 1
            logSkip(statistics.truncated, source, number, "\(bytes.count)-byte frame is longer than \(link.interface)"
                + " sends (MTU \(link.mtu) + \(link.headerLength)-byte header = \(limit)): truncated to \(limit) bytes")
            return UnsafeRawBufferPointer(rebasing: bytes[0..<limit])
        }
    }

    private func logSkip(_ count: Int, _ source: any ReplaySource, _ number: Int, _ message: @autoclosure () -> String) {
        guard count <= Self.loggedSkips else { return }
        let more = count == Self.loggedSkips ? " (further packets like it are only counted)" : ""
        logger.warning("\(source.name): packet \(number): \(message())\(more)")
    }

    /// Sends what is queued; with `acknowledging`, or when anything was sent, tells the source
    /// that the first `handled` packets it returned are done (sent, left out or failed): every one
    /// but a packet read and held back by the rate, a duration or a stop.
    /// Reads the clock, and reports progress when it is time.
    private func flush(_ source: any ReplaySource, acknowledging: Bool, handled: Int) throws(ReplayError) {
        if queued > 0 {
            try injector.flush()
            queued = 0
            source.packetsSent(handled)
        } else if acknowledging {
            source.packetsSent(handled)
        }
        reportProgress(now: clock.now())
    }

    /// Waits until `deadline`, in slices, looking at the stop handle and reporting progress
    /// between them; returns `false` when stopped.
    private func wait(until deadline: Int64) -> Bool {
        while true {
            if stopHandle.isStopRequested { return false }
            let now = clock.now()
            if now >= deadline { return true }
            reportProgress(now: now)
            clock.wait(until: min(deadline, now &+ Self.waitSliceNanoseconds))
        }
    }

    /// Keeps `now` as the last clock reading and, if a progress handler is set and it is time,
    /// calls it.
    private func reportProgress(now: Int64) {
        lastClockReading = now
        guard let progress, let start, now &- lastProgressReport >= Self.progressIntervalNanoseconds else { return }
        lastProgressReport = now
        statistics.injection = injector.counts
        statistics.elapsedNanoseconds = now &- start
        progress(statistics)
    }
}

@available(*, unavailable, message: "a replayer runs on one thread; stop it through its stopHandle")
extension Replayer: Sendable {}
