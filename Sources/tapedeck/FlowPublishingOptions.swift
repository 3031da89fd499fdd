import ArgumentParser
import Logging
import TapedeckDaemon
import TapedeckQuery
import TapedeckStorage

#if canImport(Glibc)
import Glibc
#endif

/// The flags of the commands that publish the store's flows to Kafka (`record`, `run`, `import`).
struct FlowPublishingOptions: ParsableArguments {
    @OptionGroup var kafka: KafkaOptions

    @Option(name: .customLong("kafka-topic"), help: "The topic of flow chunks.")
    var topic = "tapedeck.flows"

    @Option(name: .customLong("kafka-streams-topic"), help: ArgumentHelp(
        "Also publish each TCP direction's reassembled payload (offsets, gaps) to this topic (tapedeck.streams in the contract).",
        valueName: "topic"))
    var streamsTopic: String?

    @Option(help: "The sensor name in the messages' headers (default: the host name).")
    var sensor: String?

    @Option(name: .customLong("kafka-stop-timeout"), help: ArgumentHelp(
        "How long stopping waits for Kafka to acknowledge the last flows; what is not acknowledged by then is published by the next run.",
        valueName: "duration"))
    var stopTimeout = "60s"

    func validate() throws {
        guard TimeText.parseDuration(stopTimeout) != nil else {
            throw ValidationError("--kafka-stop-timeout: '\(stopTimeout)' is not a duration (like 30s or 5m)")
        }
        if kafka.brokers == nil, topic != "tapedeck.flows" || sensor != nil || streamsTopic != nil {
            throw ValidationError("--kafka-topic, --kafka-streams-topic and --sensor need --kafka-brokers")
        }
        if streamsTopic == topic { throw ValidationError("--kafka-streams-topic must differ from --kafka-topic") }
    }

    /// Whether flows are published (`--kafka-brokers` was given).
    var isEnabled: Bool { kafka.brokers != nil }

    /// The time `finish` waits for acknowledgements.
    var stopDuration: Duration { .nanoseconds(TimeText.parseDuration(stopTimeout) ?? 60_000_000_000) }

    /// The publisher configuration; nil without `--kafka-brokers`. `live` for a recording,
    /// whose packet time follows the wall clock.
    func configuration(live: Bool) throws -> FlowPublisherConfiguration? {
        guard let producer = try kafka.producerConfiguration() else { return nil }
        var configuration = FlowPublisherConfiguration(producer: producer, sensor: sensor ?? Self.hostName)
        configuration.topic = topic
        configuration.streamsTopic = streamsTopic
        configuration.followsWallClock = live
        return configuration
    }

    /// This machine's host name.
    private static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "tapedeck" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A flow publisher while a command writes the store: opened (and started) once the store
/// exists, finished when the command is done with it.
final class FlowPublishing {
    /// Retention's view of what Kafka has not acknowledged; give it to the store writer.
    let floor = AcknowledgementFloor()
    private let options: FlowPublishingOptions
    private let configuration: FlowPublisherConfiguration?
    private let logger: Logger
    private var publisher: FlowPublisher?

    init(options: FlowPublishingOptions, live: Bool, logger: Logger) throws {
        self.options = options
        configuration = try options.configuration(live: live)
        self.logger = logger
    }

    /// `store` with retention keeping what Kafka has not acknowledged, when publishing.
    func storeConfiguration(_ store: StoreWriter.Configuration) -> StoreWriter.Configuration {
        guard configuration != nil else { return store }
        var store = store
        let floor = floor
        store.firstUnacknowledgedSegment = { floor.segment }
        return store
    }

    /// Starts publishing the store at `directory` (which must exist), when publishing.
    func start(store directory: String) throws {
        guard let configuration else { return }
        let publisher = try FlowPublisher(store: directory, configuration: configuration, floor: floor, logger: logger)
        try publisher.start()
        self.publisher = publisher
        printError("publishing flows of \(directory) to Kafka topic \(configuration.topic) at "
            + (configuration.producer.bootstrapServers.joined(separator: ",")))
    }

    /// Publishes the rest, ends the open flows, waits for Kafka, and prints a summary line.
    func finish() throws {
        guard let publisher else { return }
        self.publisher = nil
        let statistics = try publisher.finish(timeout: options.stopDuration)
        printError("published \(statistics.chunksPublished) flow chunks (\(Format.bytes(Int(statistics.bytesPublished)))) "
            + "of \(statistics.flowsPublished) ended flows to \(publisher.configuration.topic); "
            + (publisher.configuration.streamsTopic.map {
                "\(statistics.streamSegmentsPublished) stream segments (\(Format.bytes(Int(statistics.streamBytesPublished)))) to \($0); "
            } ?? "")
            + "acknowledged \(statistics.chunksAcknowledged), pending \(statistics.pendingChunks)"
            + (statistics.lostSegments > 0 ? ", \(statistics.lostSegments) segments lost to retention before publishing" : ""))
    }
}
