import Foundation
import TapedeckCore
import TapedeckFlows
import TapedeckKafka

/// Publishes the flows of a capture file to a topic as `tapedeck.flows` messages (key: flow id,
/// value: the chunk's pcap, headers per `api/asyncapi.yaml`), through FlowTracker and KafkaProducer:
/// the input of the Kafka replay tests.
enum KafkaFlowPublishing {
    /// Collects the tracker's chunks.
    private struct Chunks: FlowEventSink {
        var all: [FlowChunk] = []
        mutating func receive(_ chunk: FlowChunk) { all.append(chunk) }
        mutating func receive(_ segment: StreamSegment) {}
    }

    /// Publishes every flow chunk of the Ethernet capture at `path` to `topic`; returns the
    /// number of messages.
    @discardableResult
    static func publish(_ path: String, topic: String) throws -> Int {
        let tracker = FlowTracker()
        var chunks = Chunks()
        for packet in try CaptureFile(path: path).packets {
            packet.data.withUnsafeBytes { bytes in
                tracker.process(PacketRecord(timestamp: Timestamp(nanoseconds: packet.time), originalLength: packet.originalLength,
                                             linkType: LinkType(rawValue: packet.linkType), bytes: bytes), into: &chunks)
            }
        }
        tracker.flushAll(into: &chunks)
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: [try KafkaBroker.address()]),
                                         logger: KafkaBroker.logger) { _ in }
        for chunk in chunks.all {
            let headers = FlowChunkHeaders(
                flowID: chunk.flowID.rawValue, fiveTuple: chunk.key, firstTimestamp: chunk.firstTimestamp,
                lastTimestamp: chunk.lastTimestamp, packets: chunk.packetCount, bytes: chunk.capturedByteCount,
                chunk: Int(chunk.index), closeReason: chunk.closeReason.flatMap { KafkaHeaders.CloseReason(rawValue: $0.rawValue) },
                sensor: "kafka-replay-test")
            try producer.produce(topic: topic, key: headers.key, value: chunk.pcapBytes(), headers: headers.kafkaHeaders)
        }
        guard producer.close(timeout: .seconds(30)) else {
            throw TestFailure(description: "publishing \(chunks.all.count) flow chunks to \(topic) did not finish in 30 s")
        }
        return chunks.all.count
    }
}
