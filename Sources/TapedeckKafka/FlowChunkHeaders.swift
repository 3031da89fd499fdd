import TapedeckCore

/// What the headers of a `tapedeck.flows` message say about its chunk, as values; the flow
/// publisher turns them into the message key and the ``KafkaHeaders`` of the contract.
public struct FlowChunkHeaders: Hashable, Sendable {
    /// The flow id (stable hash of the canonical 5-tuple and the first packet's time).
    public var flowID: UInt64
    /// The flow's 5-tuple, client → server.
    public var fiveTuple: FiveTuple
    /// The chunk's first packet time.
    public var firstTimestamp: Timestamp
    /// The chunk's last packet time.
    public var lastTimestamp: Timestamp
    /// Packets in the chunk.
    public var packets: Int
    /// Wire bytes of those packets.
    public var bytes: Int
    /// The chunk index within the flow, from 0.
    public var chunk: Int
    /// Why the flow ended; nil on every chunk but the last.
    public var closeReason: KafkaHeaders.CloseReason?
    /// The sensor name.
    public var sensor: String

    /// Whether this is the flow's last chunk.
    public var isFinal: Bool { closeReason != nil }

    /// Creates the headers of one chunk.
    public init(flowID: UInt64, fiveTuple: FiveTuple, firstTimestamp: Timestamp, lastTimestamp: Timestamp,
                packets: Int, bytes: Int, chunk: Int, closeReason: KafkaHeaders.CloseReason?, sensor: String) {
        self.flowID = flowID
        self.fiveTuple = fiveTuple
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.packets = packets
        self.bytes = bytes
        self.chunk = chunk
        self.closeReason = closeReason
        self.sensor = sensor
    }

    /// The flow id as the message key and header value: 16 lowercase hex digits.
    public static func flowIDText(_ flowID: UInt64) -> String {
        let digits = String(flowID, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The message key: ``flowIDText(_:)`` as UTF-8.
    public var key: [UInt8] { Array(Self.flowIDText(flowID).utf8) }

    /// The message headers, in the order of `api/asyncapi.yaml`.
    public var kafkaHeaders: [KafkaHeader] {
        var headers = [
            KafkaHeader(name: KafkaHeaders.version, string: KafkaHeaders.currentVersion),
            KafkaHeader(name: KafkaHeaders.flowID, string: Self.flowIDText(flowID)),
            KafkaHeader(name: KafkaHeaders.fiveTuple, string: fiveTuple.description),
            KafkaHeader(name: KafkaHeaders.firstTimestamp, string: firstTimestamp.description),
            KafkaHeader(name: KafkaHeaders.lastTimestamp, string: lastTimestamp.description),
            KafkaHeader(name: KafkaHeaders.packets, string: String(packets)),
            KafkaHeader(name: KafkaHeaders.bytes, string: String(bytes)),
            KafkaHeader(name: KafkaHeaders.chunk, string: String(chunk)),
            KafkaHeader(name: KafkaHeaders.final, string: isFinal ? "true" : "false"),
        ]
        if let closeReason { headers.append(KafkaHeader(name: KafkaHeaders.closeReason, string: closeReason.rawValue)) }
        headers.append(KafkaHeader(name: KafkaHeaders.sensor, string: sensor))
        return headers
    }
}
