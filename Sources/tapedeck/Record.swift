import ArgumentParser
import Logging
import TapedeckDaemon
import TapedeckPOSIX
import TapedeckStorage

/// `tapedeck record`: captures live traffic into the store until SIGINT or SIGTERM.
struct Record: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record live traffic from interfaces into the store until interrupted.",
        discussion: """
            AF_PACKET TPACKET_V3 rings (one per thread, PACKET_FANOUT across threads), or libpcap \
            with --source pcap. Packets are queryable within a second; SIGINT/SIGTERM drains the \
            rings, seals the store and exits 0. With --kafka-brokers, the flows of the stored packets \
            are published to Kafka, at least once, across broker outages and restarts.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup(title: "Capture") var captureOptions: CaptureOptions
    @OptionGroup(title: "Retention") var retentionOptions: RetentionOptions
    @OptionGroup(title: "Kafka (publish flows)") var publishing: FlowPublishingOptions

    @Flag(name: .shortAndLong, help: "Log capture counters and segment sealing.")
    var verbose = false

    func validate() throws {
        if captureOptions.interfaces.isEmpty { throw ValidationError("give at least one --interface") }
    }

    func run() throws {
        let logger = makeLogger(verbose: verbose, level: .notice)
        let flowPublishing = try FlowPublishing(options: publishing, live: true, logger: logger)
        var store = StoreWriter.Configuration()
        store.retention = try retentionOptions.policy()
        let configuration = try captureOptions.configuration(interfaces: captureOptions.interfaces,
                                                             store: flowPublishing.storeConfiguration(store))
        let summary = try record(configuration, into: storeOptions.directory, logger: logger) { _ in
            try flowPublishing.start(store: storeOptions.directory)
        }
        printRecordingSummary(summary)
        try flowPublishing.finish()
    }
}

/// Runs a recorder until SIGINT or SIGTERM. The signals are routed to a thread of their own
/// before any other thread starts.
func record(_ configuration: RecorderConfiguration, into directory: String, logger: Logger,
            whileRecording: (Recorder) throws -> Void = { _ in }) throws -> Recorder.Summary {
    let target = RecorderBox()
    let signals = try SignalWaiter { signal in
        logger.notice("stopping on signal \(signal)")
        target.recorder?.stop()
    }
    let recorder = try Recorder(store: directory, configuration: configuration, logger: logger)
    target.recorder = recorder
    try whileRecording(recorder)
    printError("recording \(configuration.interfaces.joined(separator: ", ")) into \(directory) "
        + "(\(configuration.threadsPerInterface) thread\(configuration.threadsPerInterface == 1 ? "" : "s") each, "
        + "\(configuration.source.rawValue)); Ctrl-C to stop")
    let summary = try recorder.run()
    withExtendedLifetime(signals) {}
    return summary
}

/// Where the signal thread finds the recorder once it exists.
private final class RecorderBox: @unchecked Sendable {
    var recorder: Recorder?
}

/// The summary `record` and `run` print when they stop.
func printRecordingSummary(_ summary: Recorder.Summary) {
    for thread in summary.threads {
        let statistics = thread.capture
        let share = statistics.packetsReceived == 0 ? 0 : 100 * Double(statistics.packetsDropped) / Double(statistics.packetsReceived)
        printError("\(thread.interface)#\(thread.thread): received \(statistics.packetsReceived), "
            + "stored \(statistics.packetsDelivered), dropped \(statistics.packetsDropped) (\(Format.fixed(share, 2))%), "
            + "ring-full events \(statistics.ringFullEvents)")
    }
    printError("stored \(summary.packetsStored) packets, dropped \(summary.packetsDropped)")
}
