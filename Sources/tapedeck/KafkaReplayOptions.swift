import ArgumentParser
import TapedeckCore
import TapedeckKafka
import TapedeckQuery

/// `tapedeck replay`'s flags for a Kafka topic of flow chunks as the input: the topic, the group
/// that commits, where to start, and whether to wait at the end.
struct KafkaReplayOptions: ParsableArguments {
    /// The consumer group when `--group` is not given.
    static let defaultGroup = "tapedeck-replay"

    @Option(name: .customLong("kafka-topic"), help: ArgumentHelp(
        "Replay the flow chunks of this topic (needs --kafka-brokers).", valueName: "topic"))
    var topic: String?

    @Option(help: ArgumentHelp(
        "Consumer group that commits what was sent; without --from-beginning or --from, starts where it committed "
            + "(default \(KafkaReplayOptions.defaultGroup)).", valueName: "group"))
    var group: String?

    @Flag(name: .customLong("from-beginning"), help: "Read the topic from its oldest message, whatever the group committed.")
    var fromBeginning = false

    @Option(name: .customLong("from"), help: ArgumentHelp(
        "Read from the first message published at or after this time, whatever the group committed: "
            + "RFC 3339 or a duration and 'ago' (5m ago).", valueName: "time"))
    var from: String?

    @Flag(help: "At the end of the topic, wait for new messages until interrupted.")
    var follow = false

    /// Whether the input is a Kafka topic.
    var isSelected: Bool { topic != nil }

    func validate() throws {
        if fromBeginning, from != nil { throw ValidationError("give --from-beginning or --from, not both") }
        if topic == nil, group != nil || fromBeginning || from != nil || follow {
            throw ValidationError("--group, --from-beginning, --from and --follow go with --kafka-topic")
        }
        if topic?.isEmpty == true { throw ValidationError("--kafka-topic: the topic name is empty") }
        _ = try startPosition(now: .now())
    }

    /// The consumer group that commits.
    var groupID: String { group ?? Self.defaultGroup }

    /// Where each partition starts, `--from` resolved against `now`.
    func startPosition(now: Timestamp) throws -> KafkaStartPosition {
        if fromBeginning { return .beginning }
        guard let from else { return .committedElseBeginning }
        let words = from.split(separator: " ")
        if words.count == 2, words[1] == "ago", let nanoseconds = TimeText.parseDuration(String(words[0])) {
            return .time(now.advanced(byNanoseconds: -nanoseconds))
        }
        if let time = TimeText.parseTime(from) { return .time(time) }
        throw ValidationError("--from: '\(from)' is not a time (RFC 3339 like 2026-11-29T20:00:00Z, or a duration and 'ago' like 5m ago)")
    }
}
