/// What a ``KafkaReplaySource`` consumed, left out and committed.
public struct KafkaReplayStatistics: Hashable, Sendable {
    /// Messages consumed from the topic, malformed ones included (not those after the end of a
    /// partition that was read to its end).
    public var messagesConsumed = 0
    /// Messages whose value is not a pcap file, or a damaged one: logged, skipped, committed.
    public var messagesMalformed = 0
    /// Messages skipped because their flow chunk had been read already (same flow id and chunk
    /// index headers): the publisher's at-least-once duplicates; committed.
    public var messagesDuplicate = 0
    /// Packets in the messages that were read.
    public var packetsRead = 0
    /// Offset commits that succeeded.
    public var commits = 0
    /// Offset commits that failed (logged; their offsets are committed with the next one).
    public var commitFailures = 0

    /// All zero.
    public init() {}
}
