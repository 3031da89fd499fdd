import ArgumentParser
import TapedeckAlerts
import TapedeckDaemon
import TapedeckKafka
import TapedeckQuery

/// The alert-evidence flags shared by `evidence` and `run`: which topic, which group, how much
/// traffic per alert, and where the evidence goes.
struct EvidenceOptions: ParsableArguments {
    @Option(name: .customLong("alerts-topic"), help: ArgumentHelp(
        "Kafka topic of Suricata EVE JSON alerts to carve evidence for (needs --kafka-brokers and --evidence-dir).",
        valueName: "topic"))
    var alertsTopic: String?

    @Option(name: .customLong("evidence-dir"), help: ArgumentHelp(
        "Directory for evidence pcaps and their JSON sidecars (outside the store's retention).", valueName: "dir"))
    var evidenceDirectory: String?

    @Option(name: .customLong("group"), help: "Kafka consumer group of the evidence consumer.")
    var group = "tapedeck-evidence"

    @Option(name: .customLong("granularity"), help: "Traffic per alert: flow, hosts, src or dst.")
    var granularity = "flow"

    @Option(name: .customLong("before"), help: ArgumentHelp("Padding before the flow's start (default 1m).", valueName: "duration"))
    var before: String?

    @Option(name: .customLong("after"), help: ArgumentHelp("Padding after the alert (default 1m).", valueName: "duration"))
    var after: String?

    @Option(name: .customLong("evidence-max-age"), help: ArgumentHelp(
        "Delete evidence written longer ago than this (e.g. 90d); default: keep forever.", valueName: "duration"))
    var maxAge: String?

    @Flag(name: .customLong("evidence-notify"), help: "Publish each evidence's sidecar to the notification topic.")
    var notify = false

    @Option(name: .customLong("evidence-topic"), help: ArgumentHelp(
        "Notification topic for --evidence-notify.", valueName: "topic"))
    var evidenceTopic = KafkaTopics.evidence

    func validate() throws {
        _ = try alertQuery()
        if let maxAge, (TimeText.parseDuration(maxAge) ?? 0) <= 0 {
            throw ValidationError("--evidence-max-age: '\(maxAge)' is not a duration (like 30d)")
        }
        if alertsTopic != nil, evidenceDirectory == nil {
            throw ValidationError("--alerts-topic needs --evidence-dir")
        }
    }

    /// Whether evidence is asked for (`--alerts-topic` given).
    var isEnabled: Bool { alertsTopic != nil }

    /// Granularity and padding.
    func alertQuery() throws -> AlertQuery {
        guard let granularity = AlertGranularity(rawValue: granularity) else {
            throw ValidationError("--granularity: '\(granularity)' is not one of flow, hosts, src, dst")
        }
        var query = AlertQuery(granularity: granularity)
        for (name, text, keyPath) in [("--before", before, \AlertQuery.paddingBefore), ("--after", after, \AlertQuery.paddingAfter)] {
            guard let text else { continue }
            guard let nanoseconds = TimeText.parseDuration(text), nanoseconds >= 0 else {
                throw ValidationError("\(name): '\(text)' is not a duration (like 30s or 5m)")
            }
            query[keyPath: keyPath] = nanoseconds
        }
        return query
    }

    /// The consumer's configuration, or nil when `--alerts-topic` is not given.
    func configuration(store: String, kafka: KafkaOptions) throws -> EvidenceConfiguration? {
        guard let alertsTopic, let evidenceDirectory else { return nil }
        guard let consumer = try kafka.consumerConfiguration(group: group) else {
            throw ValidationError("--alerts-topic needs --kafka-brokers")
        }
        var configuration = EvidenceConfiguration(store: store, evidenceDirectory: evidenceDirectory, consumer: consumer)
        configuration.alertsTopic = alertsTopic
        configuration.query = try alertQuery()
        configuration.maxAge = maxAge.flatMap(TimeText.parseDuration)
        if notify {
            configuration.notificationProducer = try kafka.producerConfiguration()
            configuration.notificationTopic = evidenceTopic
        }
        return configuration
    }
}
