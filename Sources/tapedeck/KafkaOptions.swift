import ArgumentParser
import TapedeckKafka

/// The Kafka connection flags shared by every command that talks to a cluster: the bootstrap
/// brokers and kcat-style `-X key=value` librdkafka properties (SASL, TLS, batching…).
struct KafkaOptions: ParsableArguments {
    @Option(name: .customLong("kafka-brokers"), help: ArgumentHelp(
        "Kafka bootstrap brokers, comma-separated host:port.", valueName: "list"))
    var brokerList: String?

    @Option(name: .customShort("X"), help: ArgumentHelp(
        "A librdkafka property passed through verbatim, like kcat -X (repeatable; e.g. -X security.protocol=SASL_SSL).",
        valueName: "key=value"))
    var rawProperties: [String] = []

    func validate() throws {
        _ = try properties()
        if let brokerList, brokers(brokerList).isEmpty {
            throw ValidationError("--kafka-brokers: '\(brokerList)' names no broker (expected host:port[,host:port…])")
        }
        if brokerList == nil, !rawProperties.isEmpty {
            throw ValidationError("-X needs --kafka-brokers")
        }
    }

    /// The bootstrap brokers, or nil when Kafka is not in use.
    var brokers: [String]? { brokerList.map(brokers) }

    /// The `-X` properties by key (a later one for the same key wins).
    func properties() throws -> [String: String] {
        var result: [String: String] = [:]
        for raw in rawProperties {
            guard let equals = raw.firstIndex(of: "="), equals != raw.startIndex else {
                throw ValidationError("-X '\(raw)': expected key=value")
            }
            result[String(raw[..<equals])] = String(raw[raw.index(after: equals)...])
        }
        return result
    }

    /// A producer configuration for the brokers with the `-X` properties applied, or nil when
    /// `--kafka-brokers` was not given.
    func producerConfiguration() throws -> KafkaProducerConfiguration? {
        guard let brokers else { return nil }
        var configuration = KafkaProducerConfiguration(bootstrapServers: brokers)
        configuration.properties = try properties()
        return configuration
    }

    /// A consumer configuration for the brokers in consumer group `group` with the `-X`
    /// properties applied, or nil when `--kafka-brokers` was not given.
    func consumerConfiguration(group: String) throws -> KafkaConsumerConfiguration? {
        guard let brokers else { return nil }
        var configuration = KafkaConsumerConfiguration(bootstrapServers: brokers, groupID: group)
        configuration.properties = try properties()
        return configuration
    }

    private func brokers(_ list: String) -> [String] {
        list.split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty }
    }
}
