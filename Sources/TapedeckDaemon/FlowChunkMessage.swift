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
        var headers = [
            KafkaHeader(name: KafkaHeaders.version, string: KafkaHeaders.currentVersion),
            KafkaHeader(name: KafkaHeaders.flowID, string: flowID),
            KafkaHeader(name: KafkaHeaders.fiveTuple, string: segment.key.description),
            KafkaHeader(name: KafkaHeaders.direction, string: segment.direction == .clientToServer
                        ? KafkaHeaders.Direction.clientToServer.rawValue : KafkaHeaders.Direction.serverToClient.rawValue),
            KafkaHeader(name: KafkaHeaders.streamOffset, string: String(segment.offset)),
            KafkaHeader(name: KafkaHeaders.gaps, string: gap),
            KafkaHeader(name: KafkaHeaders.chunk, string: String(segment.index)),
            KafkaHeader(name: KafkaHeaders.final, string: segment.isFinal ? "true" : "false"),
        ]
        if let reason = segment.closeReason {
            headers.append(KafkaHeader(name: KafkaHeaders.closeReason, string: closeReason(reason).rawValue))
        }
        headers.append(KafkaHeader(name: KafkaHeaders.sensor, string: sensor))
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
