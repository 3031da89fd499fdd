import ArgumentParser
import TapedeckCapture
import TapedeckCore
import TapedeckDaemon
import TapedeckHTTP
import TapedeckPOSIX
import TapedeckQuery
import TapedeckStorage

/// `tapedeck run`: the main job on the embedded default store. It fills an empty store from
/// the bundled sample captures (so there is something to query at once), answers a sample
/// query, then records live traffic and serves the HTTP API until interrupted.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run Tapedeck: seed an empty store with sample captures, then record (default interface: lo) and serve HTTP (default 127.0.0.1:8080) until interrupted.")

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup(title: "Capture") var captureOptions: CaptureOptions
    @OptionGroup(title: "Retention") var retentionOptions: RetentionOptions
    @OptionGroup(title: "HTTP") var serveOptions: ServeOptions
    @OptionGroup(title: "Kafka (publish flows)") var publishing: FlowPublishingOptions
    @OptionGroup(title: "Evidence") var evidenceOptions: EvidenceOptions

    @Flag(name: .shortAndLong, help: "Log capture counters and segment sealing.")
    var verbose = false

    @Option(name: .customLong("sample"), help: ArgumentHelp(
        "A capture to import into an empty store (repeatable; default: the real captures in Tests/Fixtures).",
        valueName: "file"))
    var samples = ["1kxun.pcap", "KakaoTalk_talk.pcap", "rdp.pcap", "anyconnect-vpn-300.pcap"].map { "Tests/Fixtures/\($0)" }

    @Option(help: "The sample query to answer.")
    var query = "tcp and port 443"

    func run() throws {
        let directory = storeOptions.directory
        var storeConfiguration = StoreWriter.Configuration()
        storeConfiguration.retention = try retentionOptions.policy()
        if (try? StoreReader(directory: directory))?.sealedSegments.isEmpty ?? true {
            printError("importing \(samples.count) sample captures into \(directory)")
            _ = try importCaptures(samples, into: directory, configuration: storeConfiguration,
                                   logger: makeLogger(verbose: false), progress: false)
        }
        let store = try StoreReader(directory: directory)
        print(StoreSummary(store: store).text)
        let expression = try QueryExpression.parse(query, now: .now())
        let executor = try QueryExecutor(store: store, expression: expression)
        var flows: [FlowKey: Int] = [:]
        let statistics = try executor.run { record in
            if let tuple = PacketDecoder.decode(record.bytes, linkType: record.linkType).fiveTuple {
                flows[tuple.flowKey, default: 0] += 1
            }
        }
        print("query '\(expression)': \(statistics.packetsMatched) packets in \(flows.count) flows "
            + "(read \(statistics.blocksRead) blocks of \(statistics.segmentsSearched) segments)")
        for (flow, packets) in flows.sorted(by: { $0.value > $1.value }).prefix(5) {
            print("  \(flow.canonical): \(packets) packets")
        }
        print("carve one: tapedeck query --store \(directory) '\(expression)' -w result.pcap")

        let interfaces = captureOptions.interfaces.isEmpty ? ["lo"] : captureOptions.interfaces
        let logger = makeLogger(verbose: verbose, level: .notice)
        let flowPublishing = try FlowPublishing(options: publishing, live: true, logger: logger)
        let configuration = try captureOptions.configuration(interfaces: interfaces,
                                                             store: flowPublishing.storeConfiguration(storeConfiguration))
        var serverConfiguration = try serveOptions.serverConfiguration()
        serverConfiguration.evidenceDirectory = evidenceOptions.evidenceDirectory
        var server: HTTPServer?
        var evidence: (consumer: EvidenceConsumer, thread: OSThread)?
        let summary = try record(configuration, into: directory, logger: logger) { _ in
            try flowPublishing.start(store: directory)
            let started = try HTTPServer(configuration: serverConfiguration, store: directory, logger: logger)
            server = started
            printError("tapedeck run: listening on \(try started.start()), store \(directory)")
            if let evidenceConfiguration = try evidenceOptions.configuration(store: directory, kafka: publishing.kafka) {
                let consumer = try EvidenceConsumer(configuration: evidenceConfiguration, logger: logger)
                evidence = (consumer, try consumer.startThread())
            }
        }
        evidence?.consumer.stop()
        evidence?.thread.join()
        server?.stop()
        server?.wait()
        printRecordingSummary(summary)
        try flowPublishing.finish()
    }
}
