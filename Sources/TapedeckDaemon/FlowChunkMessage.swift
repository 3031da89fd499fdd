import TapedeckCore
import TapedeckFlows
import TapedeckKafka

/// A flow chunk as a `tapedeck.flows` message (see `api/asyncapi.yaml`): key the flow id, value
/// the chunk's pcap, the headers of ``FlowChunkHeaders``; and a stream segment as a
/// `tapedeck.streams` message: key the flow id, value the payload bytes.
enum FlowChunkMessage {
    /// The message for `chunk`, at publisher position `sequence`, from sensor `sensor`.
    static func unit(for chunk: FlowChunk, sequence: UInt64, sensor: String) -> PublishableUnit<UInt64> {
        // The contract's bytes are wire (original) lengths, not the captured (possibly truncated) ones.
        let headers = FlowChunkHeaders(
            flowID: chunk.flowID.rawValue, fiveTuple: chunk.key, firstTimestamp: chunk.firstTimestamp,
            lastTimestamp: chunk.lastTimestamp, packets: chunk.packetCount, bytes: chunk.originalByteCount,
            chunk: Int(chunk.index), closeReason: chunk.closeReason.map(closeReason), sensor: sensor)
        return PublishableUnit(position: sequence, key: headers.key, value: chunk.pcapBytes(), headers: headers.kafkaHeaders)
    }

    /// The `tapedeck.streams` message for `segment`, at position `sequence`, from sensor `sensor`.
    static func unit(for segment: StreamSegment, sequence: UInt64, sensor: String) -> PublishableUnit<UInt64> {
        let flowID = FlowChunkHeaders.flowIDText(segment.flowID.rawValue)
        let gap = segment.missingBefore > 0 ? "\(segment.offset - segment.missingBefore)+\(segment.missingBefore)" : ""
        var headers = KafkaHeaderBlock(capacity: 512 + sensor.utf8.count)
        headers.append(name: KafkaHeaders.version, value: KafkaHeaders.currentVersion.utf8)
        headers.append(name: KafkaHeaders.flowID, value: flowID.utf8)
        headers.append(name: KafkaHeaders.fiveTuple, maximumLength: FiveTuple.maximumDescriptionLength) { $0.write(segment.key) }
        headers.append(name: KafkaHeaders.direction, value: (segment.direction == .clientToServer
                       ? KafkaHeaders.Direction.clientToServer : KafkaHeaders.Direction.serverToClient).rawValue.utf8)
        headers.append(name: KafkaHeaders.streamOffset, maximumLength: 20) { $0.write(decimal: segment.offset) }
        headers.append(name: KafkaHeaders.gaps, value: gap.utf8)
        headers.append(name: KafkaHeaders.chunk, maximumLength: 20) { $0.write(decimal: segment.index) }
        headers.append(name: KafkaHeaders.final, value: (segment.isFinal ? "true" : "false").utf8)
        if let reason = segment.closeReason {
            headers.append(name: KafkaHeaders.closeReason, value: closeReason(reason).rawValue.utf8)
        }
        headers.append(name: KafkaHeaders.sensor, value: sensor.utf8)
        return PublishableUnit(position: sequence, key: Array(flowID.utf8), value: segment.bytes, headers: headers)
    }

    /// The contract's name for a tracker's close reason.
    private static func closeReason(_ reason: CloseReason) -> KafkaHeaders.CloseReason {
        switch reason {
        case .fin: .fin
        case .rst: .rst
        case .idle: .idle
        case .evicted: .evicted
        case .shutdown: .shutdown
        }
    }
}
