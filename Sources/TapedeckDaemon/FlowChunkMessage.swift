import TapedeckFlows
import TapedeckKafka

/// A flow chunk as a `tapedeck.flows` message (see `api/asyncapi.yaml`): key the flow id, value
/// the chunk's pcap, the headers of ``FlowChunkHeaders``.
enum FlowChunkMessage {
    /// The message for `chunk`, at publisher position `sequence`, from sensor `sensor`.
    static func unit(for chunk: FlowChunk, sequence: UInt64, sensor: String) -> PublishableUnit<UInt64> {
        // The contract's bytes are wire (original) lengths, not the captured (possibly truncated) ones.
        var wireBytes = 0
        chunk.packets.forEach { wireBytes += Int($0.originalLength) }
        let headers = FlowChunkHeaders(
            flowID: chunk.flowID.rawValue, fiveTuple: chunk.key, firstTimestamp: chunk.firstTimestamp,
            lastTimestamp: chunk.lastTimestamp, packets: chunk.packetCount, bytes: wireBytes,
            chunk: Int(chunk.index), closeReason: chunk.closeReason.map(closeReason), sensor: sensor)
        return PublishableUnit(position: sequence, key: headers.key, value: chunk.pcapBytes(), headers: headers.kafkaHeaders)
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
