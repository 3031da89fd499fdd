/// One message for a ``DurablePublisher``: what Kafka gets (key, value, headers) and where it
/// comes from (``position``).
public struct PublishableUnit<Position: PublishPosition>: Sendable {
    /// Where the unit comes from; each unit published must have a greater position than the last.
    public var position: Position
    /// The message key (for flows: the flow id), which picks the partition.
    public var key: [UInt8]
    /// The message value (for flows: a pcap of the chunk's packets).
    public var value: [UInt8]
    /// The message headers.
    public var headers: KafkaHeaderBlock

    /// Creates a unit.
    public init(position: Position, key: [UInt8], value: [UInt8], headers: KafkaHeaderBlock = KafkaHeaderBlock()) {
        self.position = position
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// Key, value and header bytes: what counts against `message.max.bytes` and the publisher's
    /// memory bound.
    public var size: Int {
        key.count + value.count + headers.byteCount
    }
}
