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
        String(ascii: 16) { $0.write(hexadecimal: flowID, digits: 16) }
    }

    /// The message key: ``flowIDText(_:)`` as UTF-8.
    public var key: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 16) { buffer, initialized in
            var writer = ASCIIWriter(UnsafeMutableRawBufferPointer(buffer))
            writer.write(hexadecimal: flowID, digits: 16)
            initialized = writer.count
        }
    }

    /// The message headers, in the order of `api/asyncapi.yaml`, written straight into one block.
    public var kafkaHeaders: KafkaHeaderBlock {
        var headers = KafkaHeaderBlock(capacity: 512 + sensor.utf8.count)
        headers.append(name: KafkaHeaders.version, value: KafkaHeaders.currentVersion.utf8)
        headers.append(name: KafkaHeaders.flowID, maximumLength: 16) { $0.write(hexadecimal: flowID, digits: 16) }
        headers.append(name: KafkaHeaders.fiveTuple, maximumLength: FiveTuple.maximumDescriptionLength) { $0.write(fiveTuple) }
        headers.append(name: KafkaHeaders.firstTimestamp, maximumLength: Timestamp.descriptionLength) { $0.write(firstTimestamp) }
        headers.append(name: KafkaHeaders.lastTimestamp, maximumLength: Timestamp.descriptionLength) { $0.write(lastTimestamp) }
        headers.append(name: KafkaHeaders.packets, maximumLength: 20) { $0.write(decimal: packets) }
        headers.append(name: KafkaHeaders.bytes, maximumLength: 20) { $0.write(decimal: bytes) }
        headers.append(name: KafkaHeaders.chunk, maximumLength: 20) { $0.write(decimal: chunk) }
        headers.append(name: KafkaHeaders.final, value: (isFinal ? "true" : "false").utf8)
        if let closeReason { headers.append(name: KafkaHeaders.closeReason, value: closeReason.rawValue.utf8) }
        headers.append(name: KafkaHeaders.sensor, value: sensor.utf8)
        return headers
    }
}
