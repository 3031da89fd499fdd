import Foundation
import Logging
import TapedeckCore
import TapedeckDaemon
import TapedeckKafka
import TapedeckReplay
import Testing

/// One test packet: an Ethernet-sized frame whose first bytes say which flow and which packet it is.
struct FlowPacket: Hashable, CustomStringConvertible {
    var flow: Int
    var sequence: Int

    var bytes: [UInt8] {
        [UInt8(flow), UInt8(sequence >> 8), UInt8(sequence & 0xFF)] + (0..<(57 + sequence % 40)).map { UInt8(truncatingIfNeeded: $0 &+ flow) }
    }

    init(flow: Int, sequence: Int) {
        self.flow = flow
        self.sequence = sequence
    }

    init(_ bytes: [UInt8]) {
        flow = Int(bytes[0])
        sequence = Int(bytes[1]) << 8 | Int(bytes[2])
    }

    var description: String { "\(flow).\(sequence)" }
}

/// A mock cluster with a topic, a producer, and sources reading it.
final class KafkaFixture {
    let cluster: KafkaMockCluster
    let topic = "flows-\(UUID().uuidString.prefix(8))"
    let producer: KafkaProducer
    let logs: MemoryLogHandler.Store
    let logger: Logger

    init(partitions: Int32 = 3) throws {
        (logger, logs) = memoryLogger()
        cluster = try KafkaMockCluster(brokers: 1, logger: logger)
        try cluster.createTopic(topic, partitions: partitions, replicationFactor: 1)
        var configuration = KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers)
        configuration.linger = .milliseconds(1)
        producer = try KafkaProducer(configuration: configuration, logger: logger) { _ in }
    }

    /// Publishes one message per chunk: flow `flow`'s packets `sequences`, as a pcap, keyed by
    /// flow; with `chunk`, the flow id and chunk index headers too.
    func publish(flow: Int, _ sequences: Range<Int>, precision: TimestampPrecision = .nanoseconds, chunk: Int? = nil) throws {
        let writer = PcapWriter(sink: MemorySink(), linkType: .ethernet, precision: precision)
        for sequence in sequences {
            try FlowPacket(flow: flow, sequence: sequence).bytes.withUnsafeBytes { bytes in
                try writer.write(PacketRecord(timestamp: Timestamp(nanoseconds: Int64(sequence) * 1_000_000),
                                              originalLength: UInt32(bytes.count), linkType: .ethernet, bytes: bytes))
            }
        }
        try writer.flush()
        let headers = chunk.map { chunk -> KafkaHeaderBlock in
            [KafkaHeader(name: KafkaHeaders.flowID, string: FlowChunkHeaders.flowIDText(UInt64(flow))),
             KafkaHeader(name: KafkaHeaders.chunk, string: String(chunk))]
        }
        try publish(key: flow, value: writer.sink.bytes, headers: headers ?? [])
    }

    /// Publishes `value` keyed by flow `key`.
    func publish(key: Int, value: [UInt8], headers: KafkaHeaderBlock = []) throws {
        try producer.produce(topic: topic, key: Array(FlowChunkHeaders.flowIDText(UInt64(key)).utf8), value: value, headers: headers)
    }

    /// Waits until everything produced is acknowledged.
    func flush() throws {
        try producer.flush(timeout: .seconds(30))
    }

    /// A source reading the topic in `group`.
    func source(group: String, start: KafkaStartPosition = .committedElseBeginning, follow: Bool = false,
                commitInterval: Duration = .zero, stop: ReplayStopHandle? = nil) throws -> KafkaReplaySource {
        var consumer = KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: group)
        consumer.startPosition = start
        consumer.sessionTimeout = .seconds(6)
        var configuration = KafkaReplayConfiguration(consumer: consumer, topic: topic)
        configuration.follow = follow
        configuration.commitInterval = commitInterval
        return try KafkaReplaySource(configuration: configuration, stopHandle: stop, logger: logger)
    }
}

/// Reads `source` to its end (or `limit` packets), acknowledging after each packet when
/// `acknowledging` (`returnedBefore`: packets the source returned before this call); returns the packets.
func drain(_ source: KafkaReplaySource, limit: Int = .max, acknowledging: Bool = true,
           returnedBefore: Int = 0) throws -> [FlowPacket] {
    var packets: [FlowPacket] = []
    while packets.count < limit, let record = try source.next() {
        #expect(record.linkType == .ethernet)
        packets.append(FlowPacket(Array(record.bytes)))
        if acknowledging { source.packetsSent(returnedBefore + packets.count) }
    }
    return packets
}

/// `packets` grouped by flow, in the order they came.
func byFlow(_ packets: [FlowPacket]) -> [Int: [Int]] {
    Dictionary(grouping: packets, by: \.flow).mapValues { $0.map(\.sequence) }
}
