import Foundation
import Logging
import Testing
import TapedeckCore
import TapedeckFlows
import TapedeckKafka
import TapedeckStorage
@testable import TapedeckDaemon

/// The checkpoint file: its text survives a round trip for IPv4 and IPv6 flows, and a damaged
/// file or one of another topic is refused with the typed error (also by a publisher opening the store).
@Suite struct FlowPublisherCheckpointTests {
    private let topic = "tapedeck.flows"

    private func flow(_ tuple: FiveTuple, start: Int64, origin: StoreLogPosition, next: UInt32) -> OpenFlow {
        let key = FlowKey(tuple)
        let time = Timestamp(nanoseconds: start)
        return OpenFlow(key: key, id: FlowID(key: key, firstPacket: time), start: time, origin: origin.ordinal,
                        nextChunkIndex: next)
    }

    private var sample: FlowPublisherCheckpoint {
        let ipv4 = FiveTuple(ipProtocol: 6, source: IPAddress("10.0.0.1")!, destination: IPAddress("10.0.0.2")!,
                             sourcePort: 51000, destinationPort: 80)
        // The server side first: the file holds the canonical order, which must read back the same.
        let ipv4Reversed = FiveTuple(ipProtocol: 6, source: IPAddress("192.168.7.9")!, destination: IPAddress("172.16.0.1")!,
                                     sourcePort: 443, destinationPort: 40001)
        let ipv6 = FiveTuple(ipProtocol: 17, source: IPAddress("2a00:1450:4007:80a::200a")!,
                             destination: IPAddress("fe80::1")!, sourcePort: 5353, destinationPort: 5353)
        let ipv6Full = FiveTuple(ipProtocol: 6, source: IPAddress("2001:db8:0:0:1:0:0:1")!,
                                 destination: IPAddress("::ffff:10.1.2.3")!, sourcePort: 65535, destinationPort: 1)
        let icmp = FiveTuple(ipProtocol: 1, source: IPAddress("8.8.8.8")!, destination: IPAddress("10.9.8.7")!,
                             sourcePort: 0, destinationPort: 0)
        return FlowPublisherCheckpoint(sequence: 1234, resume: StoreLogPosition(segment: 7, packet: 10250), openFlows: [
            flow(ipv4, start: 1_700_000_000_123_456_789, origin: StoreLogPosition(segment: 7, packet: 10001), next: 2),
            flow(ipv4Reversed, start: 1_600_000_000_000_000_001, origin: StoreLogPosition(segment: 5, packet: 0), next: 0),
            flow(ipv6, start: 1_700_000_001_000_000_000, origin: StoreLogPosition(segment: 6, packet: 99), next: 17),
            flow(ipv6Full, start: 1, origin: StoreLogPosition(segment: 7, packet: 10249), next: UInt32.max),
            flow(icmp, start: 0, origin: StoreLogPosition(segment: (1 << 24) - 1, packet: (1 << 40) - 1), next: 1),
        ])
    }

    @Test func textRoundTripsWithIPv4AndIPv6Flows() throws {
        let checkpoint = sample
        let text = checkpoint.text(topic: topic)
        #expect(text.hasPrefix("tapedeck-flow-checkpoint 1\ntopic tapedeck.flows\nsequence 1234\nresume 7 10250\nflow 6 10.0.0.1 51000 10.0.0.2 80 "))
        #expect(text.split(separator: "\n").count == 4 + checkpoint.openFlows.count)
        let parsed = try FlowPublisherCheckpoint.parse(text, topic: topic, path: "x")
        #expect(parsed == checkpoint)
        #expect(parsed.text(topic: topic) == text)
        // The flow ids read back are the ids of the keys and start times (what a rebuild computes).
        for flow in parsed.openFlows {
            #expect(flow.id == FlowID(key: flow.key, firstPacket: flow.start))
        }
        // A checkpoint without open flows.
        let empty = FlowPublisherCheckpoint(sequence: 0, resume: .start, openFlows: [])
        #expect(try FlowPublisherCheckpoint.parse(empty.text(topic: "t"), topic: "t", path: "x") == empty)
    }

    @Test func fileRoundTripsAndAMissingFileIsNoCheckpoint() throws {
        let directory = try TemporaryDirectory("checkpoint")
        defer { directory.remove() }
        #expect(try FlowPublisherCheckpoint.read(directory: directory.path, name: "t.checkpoint", topic: topic) == nil)
        try sample.write(directory: directory.path, name: "t.checkpoint", topic: topic)
        #expect(try FlowPublisherCheckpoint.read(directory: directory.path, name: "t.checkpoint", topic: topic) == sample)
        // Rewriting replaces it.
        let later = FlowPublisherCheckpoint(sequence: 2000, resume: StoreLogPosition(segment: 9, packet: 1), openFlows: [])
        try later.write(directory: directory.path, name: "t.checkpoint", topic: topic)
        #expect(try FlowPublisherCheckpoint.read(directory: directory.path, name: "t.checkpoint", topic: topic) == later)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(names == ["t.checkpoint"])  // no temporary files left behind
    }

    @Test func rebuildStartIsTheOldestOpenFlowsFirstPacket() {
        #expect(sample.rebuildStart == StoreLogPosition(segment: 5, packet: 0))
        let late = FlowPublisherCheckpoint(sequence: 1, resume: StoreLogPosition(segment: 3, packet: 4), openFlows: [
            flow(FiveTuple(ipProtocol: 17, source: IPAddress("1.1.1.1")!, destination: IPAddress("2.2.2.2")!,
                           sourcePort: 1, destinationPort: 2), start: 5, origin: StoreLogPosition(segment: 3, packet: 2), next: 0),
        ])
        #expect(late.rebuildStart == StoreLogPosition(segment: 3, packet: 2))
        #expect(FlowPublisherCheckpoint(sequence: 1, resume: StoreLogPosition(segment: 3, packet: 4), openFlows: []).rebuildStart
                == StoreLogPosition(segment: 3, packet: 4))
    }

    @Test(arguments: [
        ("", "not a version 1"),
        ("tapedeck-flow-checkpoint 2\ntopic tapedeck.flows\nsequence 1\nresume 1 0\n", "not a version 1"),
        ("tapedeck-flow-checkpoint 1\ntopic tapedeck.flows\nsequence 1\n", "truncated"),
        ("tapedeck-flow-checkpoint 1\ntopic tapedeck.flows\nsequence x\nresume 1 0\n", "line 3"),
        ("tapedeck-flow-checkpoint 1\ntopic tapedeck.flows\nsequence -1\nresume 1 0\n", "line 3"),
        ("tapedeck-flow-checkpoint 1\ntopic tapedeck.flows\nresume 1 0\nsequence 1\n", "line 3"),
        ("tapedeck-flow-checkpoint 1\ntopic tapedeck.flows\nsequence 1\nresume 1\n", "line 4"),
        ("tapedeck-flow-checkpoint 1\ntopic tapedeck.flows\nsequence 1\nresume 1 0 0\n", "line 4"),
        ("tapedeck-flow-checkpoint 1\ntopic tapedeck.flows\nsequence 1\nresume 1 0\nflow 6 10.0.0.1 1 10.0.0.2 2 00000000000000ab 5 1 0\n",
         "line 5"),
        ("tapedeck-flow-checkpoint 1\ntopic tapedeck.flows\nsequence 1\nresume 1 0\nflow 6 10.0.0.1 1 10.0.0.2 2 00000000000000ab 5 1 0 0\n"
            + "flow 6 10.0.0.999 1 10.0.0.2 2 00000000000000ab 5 1 0 0\n", "line 6"),
        ("tapedeck-flow-checkpoint 1\ntopic tapedeck.flows\nsequence 1\nresume 1 0\nflow 6 10.0.0.1 70000 10.0.0.2 2 ab 5 1 0 0\n",
         "line 5"),
        ("tapedeck-flow-checkpoint 1\ntopic tapedeck.flows\nsequence 1\nresume 1 0\nflow 6 10.0.0.1 1 10.0.0.2 2 xyz 5 1 0 0\n",
         "line 5"),
        ("tapedeck-flow-checkpoint 1\ntopic tapedeck.flows\nsequence 1\nresume 1 0\nfl-w\n", "line 5"),
        ("\u{FF}\u{FE}binary", "not a version 1"),
    ])
    func aDamagedCheckpointIsUnreadable(text: String, reason: String) {
        #expect {
            _ = try FlowPublisherCheckpoint.parse(text, topic: topic, path: "/s/kafka/tapedeck.flows.checkpoint")
        } throws: { error in
            guard case FlowPublisherError.checkpointUnreadable(let path, let why) = error else { return false }
            return path == "/s/kafka/tapedeck.flows.checkpoint" && why.contains(reason)
        }
    }

    @Test func aCheckpointOfAnotherTopicIsRefused() {
        let text = sample.text(topic: "other.flows")
        #expect {
            _ = try FlowPublisherCheckpoint.parse(text, topic: topic, path: "p")
        } throws: { error in
            guard case FlowPublisherError.checkpointForOtherTopic(let path, let line) = error else { return false }
            return path == "p" && line == "topic other.flows"
        }
        // A topic whose name starts like another's is another topic.
        #expect(throws: FlowPublisherError.self) {
            _ = try FlowPublisherCheckpoint.parse(sample.text(topic: "tapedeck.flows2"), topic: topic, path: "p")
        }
    }

    @Test func aPublisherRefusesToOpenAStoreWithADamagedOrForeignCheckpoint() throws {
        let store = try TemporaryDirectory("checkpoint-store")
        defer { store.remove() }
        try importStore(["rdp.pcap"], directory: store.path)
        try FileManager.default.createDirectory(atPath: store.path + "/kafka", withIntermediateDirectories: true)
        let path = store.path + "/kafka/tapedeck.flows.checkpoint"
        // Nothing listens there: the checkpoint is read before Kafka is contacted.
        var configuration = FlowPublisherConfiguration(producer: KafkaProducerConfiguration(bootstrapServers: ["127.0.0.1:1"]),
                                                       sensor: "test")
        configuration.topic = topic
        let (logger, _) = memoryLogger()

        try Data("tapedeck-flow-checkpoint 1\ntopic tapedeck.flows\nsequence 12\nresume 1".utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try FlowPublisher(store: store.path, configuration: configuration, floor: AcknowledgementFloor(), logger: logger)
        } throws: { error in
            guard case FlowPublisherError.checkpointUnreadable(let errorPath, _) = error else { return false }
            return errorPath == path && "\(error)".contains(path)
        }

        try Data(sample.text(topic: "elsewhere").utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try FlowPublisher(store: store.path, configuration: configuration, floor: AcknowledgementFloor(), logger: logger)
        } throws: { error in
            guard case FlowPublisherError.checkpointForOtherTopic(let errorPath, _) = error else { return false }
            return errorPath == path && "\(error)".contains("another topic")
        }
    }
}
