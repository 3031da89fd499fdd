import ArgumentParser
import TapedeckCapture
import TapedeckCore
import TapedeckPOSIX
import TapedeckQuery
import TapedeckReplay
import TapedeckStorage

/// `tapedeck replay`: sends packets from capture files or the store onto an interface at a
/// chosen rate, as tcpreplay does.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send packets from capture files or the store onto an interface at a chosen rate.",
        discussion: """
            Rates as tcpreplay's: the captured timing sped up by --multiplier (default 1), a fixed \
            --pps, a fixed --mbps (captured bytes × 8, 10^6 bits), or --topspeed. Every packet \
            goes out byte for byte and in order, in batches through an AF_PACKET socket (or libpcap \
            with --injector pcap). Frames longer than the interface's MTU plus its link-layer \
            header are skipped or truncated (--oversize), never silently: each is counted, and \
            the first few are named. The summary goes to standard error; SIGINT stops early and \
            prints it too. Reading the store takes no lock: a recorder may be writing it.
            Examples:
              tapedeck replay -i veth0 --pps 20000 capture.pcap
              tapedeck replay -i veth0 --multiplier 2 --loop 3 a.pcap b.pcapng
              tapedeck replay -i veth0 --topspeed --query 'host 10.1.2.3 and after 10m ago'
            """)

    /// The injectors.
    enum InjectorKind: String, ExpressibleByArgument, CaseIterable {
        case afpacket, pcap
    }

    /// `--oversize`.
    enum OversizeChoice: String, ExpressibleByArgument, CaseIterable {
        case skip, truncate
    }

    @Option(name: [.customShort("i"), .long], help: ArgumentHelp("Interface to send on.", valueName: "name"))
    var interface: String

    @Option(help: ArgumentHelp("Send this many packets per second.", valueName: "rate"))
    var pps: Double?

    @Option(help: ArgumentHelp("Send this many megabits (10^6 bits of captured bytes) per second.", valueName: "rate"))
    var mbps: Double?

    @Option(help: ArgumentHelp("Keep the captured timing, this many times faster (default 1).", valueName: "factor"))
    var multiplier: Double?

    @Flag(help: "Send as fast as the interface takes packets.")
    var topspeed = false

    @Option(help: "Passes over the input; 0 repeats until stopped.")
    var loop = 1

    @Option(help: ArgumentHelp("Stop after sending this many packets.", valueName: "packets"))
    var limit: Int?

    @Option(help: ArgumentHelp("Stop after this long: 30s, 1m30s, 250ms, or seconds.", valueName: "duration"))
    var duration: String?

    @Option(help: "afpacket (AF_PACKET socket, sendmmsg batches) or pcap (libpcap pcap_inject).")
    var injector: InjectorKind = .afpacket

    @Option(help: "Frames longer than the interface takes: skip or truncate.")
    var oversize: OversizeChoice = .skip

    @Option(help: ArgumentHelp("Replay the stored packets that match this query (time order).", valueName: "query"))
    var query: String?

    @OptionGroup var storeOptions: StoreOptions

    @Flag(name: .long, help: "Do not draw a progress line, even on a terminal.")
    var noProgress = false

    @Argument(help: ArgumentHelp("Capture files (pcap or pcapng), replayed one after another.", valueName: "file"))
    var files: [String] = []

    func validate() throws {
        let rates = [pps != nil, mbps != nil, multiplier != nil, topspeed].filter { $0 }.count
        if rates > 1 { throw ValidationError("give one of --pps, --mbps, --multiplier and --topspeed") }
        if files.isEmpty, query == nil { throw ValidationError("give capture files or --query") }
        if !files.isEmpty, query != nil { throw ValidationError("give capture files or --query, not both") }
        if storeOptions.store != nil, query == nil { throw ValidationError("--store goes with --query") }
        do { try replayConfiguration().validate() } catch let error as ReplayError {
            if case .invalidConfiguration(let reason) = error { throw ValidationError(reason) }
            throw error
        }
    }

    /// The settings the flags ask for.
    func replayConfiguration() throws -> ReplayConfiguration {
        var configuration = ReplayConfiguration()
        if let pps { configuration.rate = .packetsPerSecond(pps) }
        if let mbps { configuration.rate = .megabitsPerSecond(mbps) }
        if let multiplier { configuration.rate = .multiplier(multiplier) }
        if topspeed { configuration.rate = .topspeed }
        configuration.loops = loop
        configuration.packetLimit = limit
        configuration.oversize = oversize == .skip ? .skip : .truncate
        if let duration {
            if let nanoseconds = TimeText.parseDuration(duration) {
                configuration.durationNanoseconds = nanoseconds
            } else if let seconds = Double(duration), seconds.isFinite, seconds > 0, seconds < 9e9 {
                configuration.durationNanoseconds = Int64(seconds * 1e9)
            } else {
                throw ValidationError("--duration: '\(duration)' is not a duration (like 30s, 1m30s or 2.5)")
            }
        }
        return configuration
    }

    func run() throws {
        let configuration = try replayConfiguration()
        let input = try query.map(storeInput) ?? fileInput()
        let injector: any Injector
        switch self.injector {
        case .afpacket: injector = try AFPacketInjector(interface: interface)
        case .pcap: injector = try PcapInjector(interface: interface)
        }
        let replayer = try Replayer(injector: injector, configuration: configuration, logger: makeLogger(verbose: false))
        // Before any other thread starts (a query's producer), so that every thread blocks the signals.
        let stop = replayer.stopHandle
        let signals = try SignalWaiter { _ in stop.stop() }
        let progress = ReplayProgress(enabled: !noProgress && FileDescriptorSink.standardErrorIsTerminal)
        let result = replayer.run(input, progress: progress.draw)
        progress.finish()
        withExtendedLifetime(signals) {}
        printReplaySummary(result, link: injector.link, firstFailure: injector.firstFailure)
        if case .failed(let error) = result.ending {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        if result.statistics.packetsFailed > 0 { throw ExitCode(1) }
    }

    /// The capture files, each checked to open before anything is sent.
    private func fileInput() throws -> ReplayInput {
        for path in files {
            do { _ = try PcapFileReader(path: path) } catch {
                printError("error: \(error)")
                throw ExitCode(1)
            }
        }
        return .files(files)
    }

    /// The packets of the query `text`, from the store, in time order; the query is parsed, and
    /// the store opened, before anything is sent.
    private func storeInput(_ text: String) throws -> ReplayInput {
        let expression: QueryExpression
        do {
            expression = try QueryExpression.parse(text, now: .now())
        } catch {
            printError("error: bad query: \(error.rendered)")
            throw ExitCode(2)
        }
        let directory = storeOptions.directory
        _ = try StoreReader(directory: directory)
        let name = "query '\(text)'"
        // A local function: Swift 6.3 crashes on a closure literal with a typed throw that
        // returns an existential.
        func open() throws(ReplayError) -> any ReplaySource {
            try PushedPacketSource(name: name) { emitter in
                let executor = try QueryExecutor(store: try StoreReader(directory: directory), expression: expression)
                _ = try executor.run { try emitter.emit($0) }
            }
        }
        return ReplayInput([open])
    }
}

/// Prints tcpreplay's summary, with what was left out, on standard error.
func printReplaySummary(_ result: ReplayResult, link: InjectionLink, firstFailure: String?) {
    let statistics = result.statistics
    let bytesPerSecond = statistics.elapsedNanoseconds > 0
        ? Double(statistics.bytesSent) * 1e9 / Double(statistics.elapsedNanoseconds) : 0
    let ending = switch result.ending {
    case .endOfInput: "end of input"
    case .packetLimit: "packet limit"
    case .duration: "duration"
    case .stopped: "stopped by signal"
    case .failed: "failed"
    }
    func row(_ label: String, _ value: Int, _ note: String = "") -> String {
        let padded = label + ":" + String(repeating: " ", count: max(1, 27 - label.count))
        return "\t\(padded)\(value)\(note)\n"
    }
    var text = "Actual: \(statistics.packetsSent) packets (\(statistics.bytesSent) bytes) sent in "
        + "\(Format.fixed(statistics.elapsedSeconds, 6)) seconds\n"
        + "Rated: \(Format.fixed(bytesPerSecond, 1)) Bps, \(Format.fixed(statistics.megabitsPerSecond, 2)) Mbps, "
        + "\(Format.fixed(statistics.packetsPerSecond, 2)) pps\n"
        + "Statistics for network device: \(link.interface)\n"
    text += row("Successful packets", statistics.packetsSent)
    text += row("Failed packets", statistics.packetsFailed, firstFailure.map { " (first: \($0))" } ?? "")
    text += row("Truncated packets", statistics.truncated,
                " (longer than MTU \(link.mtu) + \(link.headerLength)-byte header)")
    text += row("Skipped packets", statistics.packetsSkipped, " (longer than MTU \(link.mtu) + "
        + "\(link.headerLength)-byte header: \(statistics.skippedOversize), other link type: "
        + "\(statistics.skippedLinkType), shorter than the header: \(statistics.skippedShort))")
    text += row("Retried packets (ENOBUFS)", statistics.injection.retries)
    text += "Ended: \(ending) after \(statistics.packetsRead) packets read, \(statistics.loopsCompleted) "
        + "pass\(statistics.loopsCompleted == 1 ? "" : "es") completed\n"
    printErrorRaw(text)
}

/// The progress line `tapedeck replay` draws on standard error when it is a terminal.
final class ReplayProgress {
    private let enabled: Bool

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func draw(_ statistics: ReplayStatistics) {
        guard enabled else { return }
        printErrorRaw("\r\u{1B}[K\(statistics.packetsSent) packets (\(Format.bytes(statistics.bytesSent))) in "
            + "\(Format.duration(seconds: statistics.elapsedSeconds)): \(Format.fixed(statistics.packetsPerSecond, 0)) pps, "
            + "\(Format.fixed(statistics.megabitsPerSecond, 2)) Mbps"
            + (statistics.packetsSkipped > 0 ? ", \(statistics.packetsSkipped) skipped" : "")
            + (statistics.packetsFailed > 0 ? ", \(statistics.packetsFailed) failed" : ""))
    }

    func finish() {
        if enabled { printErrorRaw("\r\u{1B}[K") }
    }
}
