import ArgumentParser
import TapedeckDaemon
import TapedeckPOSIX

/// `tapedeck evidence`: consumes Suricata alerts from Kafka and writes an evidence pcap per
/// alerted flow, until SIGINT or SIGTERM.
struct Evidence: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Consume Suricata EVE alerts from Kafka and carve an evidence pcap with a JSON sidecar per alerted flow.",
        discussion: """
            Each alert's pcap (by --granularity, padded by --before/--after) is carved once its window \
            is complete in the store (at once for an imported store; a live recorder is waited for) and \
            written as DIR/YYYYMMDDTHHMMSSZ_<signature_id>_<flow_id>.pcap with a .json sidecar (the \
            alerts, the query, packets, sha256); later alerts of the flow join its sidecar. Offsets are \
            committed only after the files are durable, so a restart resumes without losing an alert. \
            Bad records are logged, counted (DIR/.evidence-stats.json, /v1/stats) and skipped.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup(title: "Kafka") var kafkaOptions: KafkaOptions
    @OptionGroup(title: "Evidence") var evidenceOptions: EvidenceOptions

    @Flag(name: .shortAndLong, help: "Log every alert and evidence file.")
    var verbose = false

    func validate() throws {
        guard evidenceOptions.isEnabled, evidenceOptions.evidenceDirectory != nil else {
            throw ValidationError("evidence needs --alerts-topic and --evidence-dir")
        }
        guard kafkaOptions.brokers != nil else { throw ValidationError("evidence needs --kafka-brokers") }
    }

    func run() throws {
        let logger = makeLogger(verbose: verbose, level: .notice)
        guard let configuration = try evidenceOptions.configuration(store: storeOptions.directory, kafka: kafkaOptions) else {
            throw ValidationError("evidence needs --alerts-topic and --evidence-dir")
        }
        // Signals first: every thread (librdkafka's too) must inherit the blocked mask.
        let target = ConsumerBox()
        let signals = try SignalWaiter { signal in
            logger.notice("stopping on signal \(signal)")
            target.consumer?.stop()
        }
        let consumer = try EvidenceConsumer(configuration: configuration, logger: logger)
        target.consumer = consumer
        printError("tapedeck evidence: consuming \(configuration.alertsTopic) into \(configuration.evidenceDirectory)")
        try consumer.run()
        let statistics = consumer.statistics
        printError("tapedeck evidence: \(statistics.written) written, \(statistics.merged) merged, "
            + "\(statistics.redelivered) redelivered, \(statistics.rejectedTotal) rejected, \(statistics.expired) expired, "
            + "\(statistics.ignored) other events")
        withExtendedLifetime(signals) {}
    }
}

/// Where the signal thread finds the consumer once it exists.
private final class ConsumerBox: @unchecked Sendable {
    var consumer: EvidenceConsumer?
}
