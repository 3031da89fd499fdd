import ArgumentParser
import Logging
import TapedeckCapture
import TapedeckCore
import TapedeckDaemon
import TapedeckPOSIX
import TapedeckQuery
import TapedeckReplay
import TapedeckStorage

/// `tapedeck replay`: sends packets from capture files, the store or a Kafka topic of flow chunks
/// onto an interface at a chosen rate, as tcpreplay does.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send packets from capture files, the store or a Kafka topic onto an interface at a chosen rate.",
        discussion: """
            Rates as tcpreplay's: the captured timing sped up by --multiplier (default 1), a fixed \
            --pps, a fixed --mbps (captured bytes × 8, 10^6 bits), or --topspeed. Every packet \
            goes out byte for byte and in order, in batches through an AF_PACKET socket (or libpcap \
            with --injector pcap). Frames longer than the interface's MTU plus its link-layer \
            header are skipped or truncated (--oversize), never silently: each is counted, and \
            the first few are named. The summary goes to standard error; SIGINT stops early and \
            prints it too. Reading the store takes no lock: a recorder may be writing it.
            From Kafka (--kafka-topic, a topic of flow chunks as `tapedeck` publishes them: each \
            message a pcap file), each flow's packets go out in order; the replay ends at the end \
            the topic had when it started (like kcat -e), or earlier at --limit or --duration, \
            unless --follow waits for new messages until interrupted. Offsets are committed in \
            the consumer group (--group) only for messages whose packets were all sent: a replay \
            killed and started again with the same group resends at most those and misses \
            nothing (the group gives it the partitions once the killed member's session timed \
            out; at once with static membership, -X group.instance.id=NAME). Messages that are \
            not pcap files, and chunks seen already (same flow id and chunk index), are skipped \
            and counted. --loop does not apply to Kafka.
            Examples:
              tapedeck replay -i veth0 --pps 20000 capture.pcap
              tapedeck replay -i veth0 --multiplier 2 --loop 3 a.pcap b.pcapng
              tapedeck replay -i veth0 --topspeed --query 'host 10.1.2.3 and after 10m ago'
              tapedeck replay -i veth0 --kafka-brokers k1:9092 --kafka-topic tapedeck.flows --from '10m ago'
              tapedeck replay -i veth0 --kafka-brokers k1:9092 --kafka-topic tapedeck.flows --group ids --follow
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

    @Option(help: "Passes over the input; 0 repeats until stopped (default 1; not with --kafka-topic).")
    var loop: Int?

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

    @OptionGroup var kafka: KafkaOptions

    @OptionGroup var kafkaReplay: KafkaReplayOptions

    @Flag(name: .long, help: "Do not draw a progress line, even on a terminal.")
    var noProgress = false

    @Argument(help: ArgumentHelp("Capture files (pcap or pcapng), replayed one after another.", valueName: "file"))
    var files: [String] = []

    func validate() throws {
        let rates = [pps != nil, mbps != nil, multiplier != nil, topspeed].filter { $0 }.count
        if rates > 1 { throw ValidationError("give one of --pps, --mbps, --multiplier and --topspeed") }
        let inputs = [!files.isEmpty, query != nil, kafkaReplay.isSelected].filter { $0 }.count
        if inputs == 0 { throw ValidationError("give capture files, --query or --kafka-topic") }
        if inputs > 1 { throw ValidationError("give one of capture files, --query and --kafka-topic") }
        if storeOptions.store != nil, query == nil { throw ValidationError("--store goes with --query") }
        if kafkaReplay.isSelected {
            if kafka.brokers == nil { throw ValidationError("--kafka-topic needs --kafka-brokers") }
            if loop != nil {
                throw ValidationError("--loop does not apply to a Kafka topic: it is read once, to its end (or without end with --follow)")
            }
        } else if kafka.brokers != nil {
            throw ValidationError("--kafka-brokers goes with --kafka-topic")
        }
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
        configuration.loops = loop ?? 1
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
        let fileOrStoreInput = kafkaReplay.isSelected ? nil : try query.map(storeInput) ?? fileInput()
        let injector: any Injector
        switch self.injector {
        case .afpacket: injector = try AFPacketInjector(interface: interface)
        case .pcap: injector = try PcapInjector(interface: interface)
        }
        let logger = makeLogger(verbose: false)
        let replayer = try Replayer(injector: injector, configuration: configuration, logger: logger)
        // Before any other thread starts (a query's producer, librdkafka's), so that every thread
        // blocks the signals.
        let stop = replayer.stopHandle
        let signals = try SignalWaiter { _ in stop.stop() }
        let kafkaSource = try kafkaReplay.isSelected ? kafkaInput(stop: stop, logger: logger) : nil
        let progress = ReplayProgress(enabled: !noProgress && FileDescriptorSink.standardErrorIsTerminal)
        progress.detail = kafkaSource.map { source in
            {
                let statistics = source.statistics
                return "\(statistics.messagesConsumed) messages"
                    + (statistics.messagesMalformed > 0 ? ", \(statistics.messagesMalformed) malformed" : "")
                    + (statistics.messagesDuplicate > 0 ? ", \(statistics.messagesDuplicate) duplicate" : "")
            }
        }
        let input = fileOrStoreInput ?? kafkaSource.map(ReplayInput.opened) ?? ReplayInput([])
        let result = replayer.run(input, progress: progress.draw)
        progress.finish()
        withExtendedLifetime(signals) {}
        printReplaySummary(result, link: injector.link, firstFailure: injector.firstFailure)
        if let kafkaSource { printKafkaSummary(kafkaSource.statistics, topic: kafkaSource.name) }
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

    /// The Kafka topic, subscribed in the group; without --follow, checked to exist before
    /// anything is sent.
    private func kafkaInput(stop: ReplayStopHandle, logger: Logger) throws -> KafkaReplaySource {
        guard let topic = kafkaReplay.topic, var consumer = try kafka.consumerConfiguration(group: kafkaReplay.groupID) else {
            throw ValidationError("--kafka-topic needs --kafka-brokers")
        }
        consumer.startPosition = try kafkaReplay.startPosition(now: .now())
        var configuration = KafkaReplayConfiguration(consumer: consumer, topic: topic)
        configuration.follow = kafkaReplay.follow
        do {
            return try KafkaReplaySource(configuration: configuration, stopHandle: stop, logger: logger)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
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

/// Prints what a Kafka source consumed and committed, after the summary, on standard error.
func printKafkaSummary(_ statistics: KafkaReplayStatistics, topic: String) {
    printErrorRaw("Kafka: \(statistics.messagesConsumed) messages consumed from \(topic) (\(statistics.packetsRead) packets), "
        + "\(statistics.messagesMalformed) malformed and \(statistics.messagesDuplicate) duplicate chunks skipped; "
        + "\(statistics.commits) offset commits, "
        + "\(statistics.commitFailures) failed\n")
}

/// The progress line `tapedeck replay` draws on standard error when it is a terminal.
final class ReplayProgress {
    private let enabled: Bool
    /// More to show after the rates (a Kafka source's messages).
    var detail: (() -> String)?

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func draw(_ statistics: ReplayStatistics) {
        guard enabled else { return }
        printErrorRaw("\r\u{1B}[K\(statistics.packetsSent) packets (\(Format.bytes(statistics.bytesSent))) in "
            + "\(Format.duration(seconds: statistics.elapsedSeconds)): \(Format.fixed(statistics.packetsPerSecond, 0)) pps, "
            + "\(Format.fixed(statistics.megabitsPerSecond, 2)) Mbps"
            + (detail.map { ", \($0())" } ?? "")
            + (statistics.packetsSkipped > 0 ? ", \(statistics.packetsSkipped) skipped" : "")
            + (statistics.packetsFailed > 0 ? ", \(statistics.packetsFailed) failed" : ""))
    }

    func finish() {
        if enabled { printErrorRaw("\r\u{1B}[K") }
    }
}
