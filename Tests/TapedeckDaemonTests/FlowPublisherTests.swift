import Foundation
import Logging
import Testing
import TapedeckCore
import TapedeckFlows
import TapedeckKafka
import TapedeckPOSIX
import TapedeckStorage
@testable import TapedeckDaemon

/// The flow publisher against librdkafka's mock cluster: what reaches the topic is, chunk for
/// chunk, what a flow table makes of the store; an outage loses and reorders nothing, shows as lag
/// and holds the checkpoint back; a restart from a checkpoint rebuilds the open flows with the
/// same ids and chunk indexes; segments retention deleted before publishing are counted.
@Suite struct FlowPublisherTests {
    private struct Setup {
        let cluster: KafkaMockCluster
        let topic: String
        let logger: Logger
        let log: MemoryLogHandler.Store
        let store: TemporaryDirectory
        var configuration: FlowPublisherConfiguration

        init() throws {
            (logger, log) = memoryLogger()
            (cluster, topic) = try faultTestCluster(topicPrefix: "flows", logger: logger)
            store = try TemporaryDirectory("publisher-store")
            configuration = FlowPublisherConfiguration(producer: testProducerConfiguration(cluster.bootstrapServers),
                                                       sensor: "unit-test")
            configuration.topic = topic
            configuration.pollInterval = .milliseconds(20)
            configuration.checkpointInterval = .milliseconds(200)
        }

        func publisher(floor: AcknowledgementFloor = AcknowledgementFloor()) throws -> FlowPublisher {
            try FlowPublisher(store: store.path, configuration: configuration, floor: floor, logger: logger)
        }

        /// The flow chunks in the topic, in partition order.
        func chunksInTopic(atLeast count: Int) throws -> [PublishedChunk] {
            let messages = try consume(bootstrapServers: cluster.bootstrapServers, topic: topic, count: count, extra: .seconds(1),
                                       logger: logger)
            let chunks = messages.compactMap(PublishedChunk.init)
            #expect(chunks.count == messages.count, "every message is a well-formed flow chunk")
            for message in messages {
                #expect(message.header(KafkaHeaders.sensor)?.stringValue == "unit-test")
                #expect(message.header(KafkaHeaders.version)?.stringValue == KafkaHeaders.currentVersion)
            }
            return chunks
        }

        /// The checkpoint file now, parsed; nil when there is none.
        func checkpoint() throws -> FlowPublisherCheckpoint? {
            try FlowPublisherCheckpoint.read(directory: store.path + "/" + FlowPublisher.stateDirectoryName,
                                             name: topic + ".checkpoint", topic: topic)
        }
    }

    /// Every (flow id, chunk) once.
    private func expectNoDuplicates(_ chunks: [PublishedChunk], sourceLocation: SourceLocation = #_sourceLocation) {
        var seen = Set<ChunkIdentity>()
        let duplicates = chunks.filter { !seen.insert($0.identity).inserted }
        #expect(duplicates.isEmpty, "\(duplicates.count) duplicates, first \(duplicates.first.map(\.description) ?? "")",
                sourceLocation: sourceLocation)
    }

    /// Per flow, the chunks in topic order are 0, 1, 2, … (first occurrences), and only the last is final.
    private func expectFlowsInOrder(_ chunks: [PublishedChunk], sourceLocation: SourceLocation = #_sourceLocation) {
        var next: [String: UInt32] = [:]
        var ended = Set<String>()
        var seen = Set<ChunkIdentity>()
        for chunk in chunks where seen.insert(chunk.identity).inserted {
            #expect(chunk.chunk == next[chunk.flowID, default: 0], "\(chunk) out of order", sourceLocation: sourceLocation)
            #expect(!ended.contains(chunk.flowID), "\(chunk) after the final chunk", sourceLocation: sourceLocation)
            next[chunk.flowID] = chunk.chunk + 1
            if chunk.isFinal { ended.insert(chunk.flowID) }
        }
    }

    @Test func publishesExactlyTheChunksAFlowTableMakesOfTheStore() throws {
        let setup = try Setup()
        defer { setup.store.remove() }
        // IPv4 and IPv6, TCP and UDP, Ethernet, SLL and null link types, one flow over 1 MB
        // (several chunks), fragments and garbage.
        try importStore(["1kxun.pcap", "KakaoTalk_talk.pcap", "rdp.pcap", "ftp.pcap", "anyconnect-vpn-300.pcap",
                         "ip_fragmented_garbage-62.pcap"], directory: setup.store.path)
        var configuration = setup.configuration
        configuration.tracker.maximumChunkBytes = 64 << 10  // many multi-chunk flows
        let reference = try referenceChunks(store: setup.store.path, configuration: configuration.tracker).chunks.map(\.chunk)
        #expect(reference.count > 100)
        #expect(reference.contains { $0.chunk >= 3 })
        #expect(reference.contains { $0.fiveTuple.hasPrefix("17 [") })  // IPv6 UDP (the fixtures have no IPv6 TCP)
        #expect(reference.contains { $0.fiveTuple.hasPrefix("17 ") && !$0.fiveTuple.contains("[") })  // IPv4 UDP
        #expect(Set(reference.compactMap(\.closeReason)).isSuperset(of: ["fin", "shutdown"]))

        let publisher = try FlowPublisher(store: setup.store.path, configuration: configuration, floor: AcknowledgementFloor(),
                                          logger: setup.logger)
        try publisher.start()
        let statistics = try publisher.finish(timeout: .seconds(120))
        #expect(statistics.chunksPublished == UInt64(reference.count))
        #expect(statistics.chunksAcknowledged == UInt64(reference.count))
        #expect(statistics.flowsPublished == UInt64(reference.filter(\.isFinal).count))
        #expect(statistics.pendingChunks == 0)
        #expect(statistics.lostSegments == 0)
        #expect(statistics.bytesPublished == UInt64(reference.reduce(0) { $0 + $1.pcap.count }))

        let published = try setup.chunksInTopic(atLeast: reference.count)
        #expect(published.count == reference.count)
        expectNoDuplicates(published)
        // Chunk for chunk, in the order the flow table emitted them.
        if published != reference {
            let first = zip(published, reference).enumerated().first { $0.element.0 != $0.element.1 }
            let text = first.map { "at \($0.offset): \($0.element.0) vs \($0.element.1)" }
                ?? "\(published.count) vs \(reference.count) chunks"
            Issue.record(Comment(rawValue: "the topic differs from the reference " + text))
        }
        // Every value is a nanosecond pcap.
        #expect(published.allSatisfy { Array($0.pcap.prefix(4)) == [0x4D, 0x3C, 0xB2, 0xA1] })

        // Everything is acknowledged: the checkpoint is at the end with no open flows, and the
        // statistics file says so.
        let checkpoint = try #require(try setup.checkpoint())
        #expect(checkpoint.sequence == UInt64(reference.count))
        #expect(checkpoint.openFlows.isEmpty)
        let stats = try String(contentsOfFile: setup.store.path + "/" + FlowPublisher.statisticsFileName, encoding: .utf8)
        #expect(stats.contains("\"chunksAcknowledged\":\(reference.count)"))
        #expect(stats.contains("\"lostSegments\":0"))

        // A second run publishes nothing: everything was published.
        let again = try setup.publisher()
        try again.start()
        let secondRun = try again.finish(timeout: .seconds(60))
        #expect(secondRun.chunksPublished == 0)
        #expect(try setup.chunksInTopic(atLeast: reference.count).count == reference.count)
    }

    @Test func messageHeadersFollowTheContractForTruncatedPackets() throws {
        let setup = try Setup()
        defer { setup.store.remove() }
        // One UDP-less TCP flow of 10 packets captured with a small snap length: 74 bytes kept
        // of each 1074-byte packet on the wire.
        let writer = try StoreWriter(directory: setup.store.path, configuration: StoreWriter.Configuration(),
                                     logger: Logger(label: "store") { _ in SwiftLogNoOpLogHandler() })
        let start: Int64 = 1_700_000_000_000_000_000
        for index in 0..<10 {
            let outbound = index % 2 == 0
            let bytes = ethernetTCP(source: outbound ? 0x0A00_0001 : 0x0A00_0002, destination: outbound ? 0x0A00_0002 : 0x0A00_0001,
                                    sourcePort: outbound ? 40000 : 80, destinationPort: outbound ? 80 : 40000,
                                    sequence: UInt32(1 + index * 1000), payload: 20)
            try bytes.withUnsafeBytes { raw in
                try writer.append(PacketRecord(timestamp: Timestamp(nanoseconds: start + Int64(index) * 1_000_000),
                                               originalLength: UInt32(bytes.count + 1000), linkType: .ethernet, bytes: raw))
            }
        }
        try writer.close()
        let publisher = try setup.publisher()
        try publisher.start()
        #expect(try publisher.finish(timeout: .seconds(60)).chunksPublished == 1)
        let messages = try consume(bootstrapServers: setup.cluster.bootstrapServers, topic: setup.topic, count: 1,
                                   logger: setup.logger)
        let message = try #require(messages.first)
        #expect(messages.count == 1)
        func header(_ name: String) -> String? { message.header(name)?.stringValue }
        #expect(header(KafkaHeaders.packets) == "10")
        // "Sum of the packets' wire (original) lengths in this chunk" (api/asyncapi.yaml).
        #expect(header(KafkaHeaders.bytes) == "\(10 * (74 + 1000))")
        #expect(header(KafkaHeaders.chunk) == "0")
        #expect(header(KafkaHeaders.final) == "true")
        #expect(header(KafkaHeaders.closeReason) == "shutdown")
        #expect(header(KafkaHeaders.fiveTuple) == "6 10.0.0.1:40000 > 10.0.0.2:80")
        #expect(header(KafkaHeaders.firstTimestamp) == Timestamp(nanoseconds: start).description)
        #expect(header(KafkaHeaders.lastTimestamp) == Timestamp(nanoseconds: start + 9_000_000).description)
        #expect(header(KafkaHeaders.flowID) == String(decoding: message.key ?? [], as: UTF8.self))
        #expect(message.value.count == 24 + 10 * (16 + 74))
    }

    @Test func aThirtySecondOutageLosesAndReordersNothingShowsLagAndHoldsTheCheckpointBack() throws {
        let setup = try Setup()
        defer { setup.store.remove() }
        let (storeLogger, _) = memoryLogger("store")
        let floor = AcknowledgementFloor()
        var storeConfiguration = StoreWriter.Configuration()
        storeConfiguration.firstUnacknowledgedSegment = { floor.segment }
        let writer = try StoreWriter(directory: setup.store.path, configuration: storeConfiguration, logger: storeLogger)
        // Before the outage, then after it in packet time (flows end as packet time passes).
        try append(["KakaoTalk_talk.pcap", "1kxun.pcap"], to: writer)

        let publisher = try setup.publisher(floor: floor)
        try publisher.start()
        // Before the outage: chunks published, all acknowledged, and a checkpoint that says so.
        var before = FlowPublisherCheckpoint(sequence: 0, resume: .start, openFlows: [])
        #expect(try eventually(timeout: .seconds(60)) {
            let statistics = publisher.statistics
            guard statistics.chunksPublished > 0, statistics.pendingChunks == 0,
                  let checkpoint = try setup.checkpoint(), checkpoint.sequence == statistics.chunksPublished else { return false }
            before = checkpoint
            return true
        })
        let acknowledgedBefore = publisher.statistics.chunksAcknowledged
        #expect(acknowledgedBefore == before.sequence)

        try setup.cluster.setBrokerDown(1)
        let outageStart = ContinuousClock.now
        try append(["ftp.pcap", "rdp.pcap", "anyconnect-vpn-300.pcap", "no_sni.pcap"], to: writer)
        var sawLag = false
        var longestPending = 0.0
        var checkpointsDuringOutage = Set<UInt64>()
        while ContinuousClock.now - outageStart < .seconds(30) {
            let statistics = publisher.statistics
            if statistics.pendingChunks > 0, statistics.pendingBytes > 0 { sawLag = true }
            longestPending = max(longestPending, statistics.oldestPendingSeconds ?? 0)
            #expect(statistics.chunksAcknowledged == acknowledgedBefore)
            if let checkpoint = try setup.checkpoint() { checkpointsDuringOutage.insert(checkpoint.sequence) }
            usleep(250_000)
        }
        let lag = publisher.statistics
        #expect(sawLag)
        #expect(lag.pendingChunks == Int(lag.chunksPublished - acknowledgedBefore))
        #expect(lag.pendingChunks > 0)
        #expect(longestPending >= 25)
        // The checkpoint never claimed more than Kafka had acknowledged.
        #expect(checkpointsDuringOutage == [before.sequence])

        try setup.cluster.setBrokerUp(1)
        try writer.close()
        let statistics = try publisher.finish(timeout: .seconds(120))
        #expect(statistics.pendingChunks == 0)
        #expect(statistics.chunksAcknowledged >= statistics.chunksPublished)
        let after = try #require(try setup.checkpoint())
        #expect(after.sequence == statistics.chunksPublished)
        #expect(after.openFlows.isEmpty)
        #expect(floor.segment.map { $0 > before.rebuildStart.segment } ?? true)

        let reference = try referenceChunks(store: setup.store.path, configuration: setup.configuration.tracker).chunks.map(\.chunk)
        #expect(statistics.chunksPublished == UInt64(reference.count))
        let published = try setup.chunksInTopic(atLeast: reference.count)
        // Nothing lost, nothing changed, nothing reordered within a flow.
        #expect(Set(published) == Set(reference))
        expectFlowsInOrder(published)
        expectNoDuplicates(published)
        #expect(published == reference)
    }

    @Test func aLongReadOfTheStoreTakesCheckpointsAsItGoes() throws {
        var setup = try Setup()
        defer { setup.store.remove() }
        try importStore(["1kxun.pcap", "KakaoTalk_talk.pcap", "wechat.pcap", "rdp.pcap", "no_sni.pcap"], directory: setup.store.path)
        let full = try referenceChunks(store: setup.store.path, configuration: setup.configuration.tracker)
        let reference = full.chunks
        // A throttled producer (one message queued at a time): the publisher spends seconds in one
        // read of the store, as in a backfill or the catch-up after an outage.
        setup.configuration.producer.properties["queue.buffering.max.messages"] = "1"
        setup.configuration.producer.properties["batch.num.messages"] = "2"
        setup.configuration.producer.properties["linger.ms"] = "5"
        let publisher = try setup.publisher()
        try publisher.start()
        var midway: FlowPublisherCheckpoint?
        #expect(try eventually(timeout: .seconds(120)) {
            guard let checkpoint = try setup.checkpoint(), checkpoint.sequence > 0 else { return false }
            midway = checkpoint
            return true
        })
        let statistics = publisher.statistics
        // Written while the read was still going, and only for what Kafka acknowledged.
        #expect(statistics.chunksPublished < UInt64(reference.count))
        let checkpoint = try #require(midway)
        #expect(checkpoint.sequence <= statistics.chunksAcknowledged)
        #expect(checkpoint.resume > .start)
        #expect(checkpoint.resume < full.position, "the checkpoint was taken only once the whole store was read")
        // It describes the flow table at its position: the chunks completed before it are the
        // first `sequence` ones, the flows open there are those of a table fed up to it.
        let before = reference.filter { $0.after <= checkpoint.resume }
        #expect(before.count == Int(checkpoint.sequence))
        let table = try referenceChunks(store: setup.store.path, configuration: setup.configuration.tracker,
                                        stoppingAt: checkpoint.resume)
        #expect(Set(table.tracker.openFlows) == Set(checkpoint.openFlows))
        try publisher.finish(timeout: .seconds(120))
        #expect(try setup.checkpoint()?.sequence == UInt64(reference.count))
    }

    @Test(arguments: [0.25, 0.5, 0.8])
    func aRestartFromACheckpointRebuildsTheOpenFlowsWithTheSameIdsAndChunks(fraction: Double) throws {
        let setup = try Setup()
        defer { setup.store.remove() }
        var storeConfiguration = StoreWriter.Configuration()
        storeConfiguration.segmentDuration = 30_000_000_000  // several segments per capture
        try importStore(["KakaoTalk_talk.pcap", "1kxun.pcap", "ftp.pcap", "wechat.pcap"], directory: setup.store.path,
                        configuration: storeConfiguration)
        var configuration = setup.configuration
        configuration.tracker.maximumChunkBytes = 32 << 10
        let full = try referenceChunks(store: setup.store.path, configuration: configuration.tracker).chunks

        // What a publisher that ran up to `stop` and had everything before it acknowledged would
        // have written: the flows open there, with the chunks they had emitted.
        let positions = try allPositions(setup.store.path)
        let stop = positions[Int(Double(positions.count) * fraction)]
        let partial = try referenceChunks(store: setup.store.path, configuration: configuration.tracker, stoppingAt: stop)
        #expect(partial.position == stop)
        let acknowledged = partial.chunks.count
        #expect(full.prefix(acknowledged).map(\.chunk) == partial.chunks.map(\.chunk))
        let openFlows = partial.tracker.openFlows
        #expect(!openFlows.isEmpty)
        #expect(openFlows.contains { $0.nextChunkIndex > 0 })  // some open flows had published chunks
        let checkpoint = FlowPublisherCheckpoint(sequence: UInt64(acknowledged), resume: stop, openFlows: openFlows)
        #expect(checkpoint.rebuildStart < stop)
        try FileSystem.createDirectory(setup.store.path + "/kafka")
        try checkpoint.write(directory: setup.store.path + "/kafka", name: setup.topic + ".checkpoint", topic: setup.topic)

        let floor = AcknowledgementFloor()
        let publisher = try FlowPublisher(store: setup.store.path, configuration: configuration, floor: floor, logger: setup.logger)
        #expect(floor.segment == checkpoint.rebuildStart.segment)
        try publisher.start()
        let statistics = try publisher.finish(timeout: .seconds(120))
        let expected = full.dropFirst(acknowledged).map(\.chunk)
        #expect(statistics.chunksPublished == UInt64(expected.count))
        // The rebuilt flows' chunks before the checkpoint were recognised and not sent again.
        let openIDs = Set(openFlows.map { FlowChunkHeaders.flowIDText($0.id.rawValue) })
        let rebuiltBeforeCheckpoint = full.prefix(acknowledged).filter { openIDs.contains($0.chunk.flowID) }.count
        #expect(statistics.chunksAlreadyAcknowledged == UInt64(rebuiltBeforeCheckpoint))

        let published = try setup.chunksInTopic(atLeast: expected.count)
        expectNoDuplicates(published)
        // The same chunks (flow ids, indexes, bytes) as an uninterrupted run after the checkpoint.
        // Flows closed by the same packet or by the final flush may come in another order, since
        // the rebuilt table holds fewer flows; within a flow the order is the same.
        #expect(published.count == expected.count)
        #expect(Set(published) == Set(expected))
        let missing = Set(expected).subtracting(published)
        if let first = missing.first { Issue.record("\(missing.count) chunks missing, e.g. \(first)") }
        let extra = Set(published).subtracting(expected)
        if let first = extra.first { Issue.record("\(extra.count) chunks not expected, e.g. \(first)") }
        expectFlowsInOrderFrom(published, checkpoint: checkpoint)
        // The next checkpoint continues the sequence.
        let after = try #require(try setup.checkpoint())
        #expect(after.sequence == UInt64(acknowledged + expected.count))
    }

    /// Per flow, the chunks in topic order continue from the checkpoint's next chunk index.
    private func expectFlowsInOrderFrom(_ chunks: [PublishedChunk], checkpoint: FlowPublisherCheckpoint) {
        var next = Dictionary(checkpoint.openFlows.map { (FlowChunkHeaders.flowIDText($0.id.rawValue), $0.nextChunkIndex) },
                              uniquingKeysWith: max)
        for chunk in chunks {
            #expect(chunk.chunk == next[chunk.flowID, default: 0], "\(chunk) out of order")
            next[chunk.flowID] = chunk.chunk + 1
        }
    }

    /// Every packet position of the store, in log order.
    private func allPositions(_ directory: String) throws -> [StoreLogPosition] {
        var positions: [StoreLogPosition] = []
        _ = try StoreLogReader(directory: directory).readAvailable { _, position in positions.append(position) }
        return positions
    }

    @Test func segmentsDeletedBeforePublishingAreCountedAndLogged() throws {
        let setup = try Setup()
        defer { setup.store.remove() }
        var storeConfiguration = StoreWriter.Configuration()
        storeConfiguration.segmentDuration = 60_000_000_000
        storeConfiguration.retention.maximumAge = 600_000_000_000  // wechat.pcap spans an hour
        try importStore(["wechat.pcap"], directory: setup.store.path, configuration: storeConfiguration)
        let store = try StoreReader(directory: setup.store.path)
        #expect(store.deleted.segments > 0)

        let publisher = try setup.publisher()
        try publisher.start()
        let statistics = try publisher.finish(timeout: .seconds(60))
        #expect(statistics.lostSegments == store.deleted.segments)
        #expect(setup.log.messages(atLeast: .error).contains { $0.contains("deleted before their flows were published") })
        let stats = try String(contentsOfFile: setup.store.path + "/" + FlowPublisher.statisticsFileName, encoding: .utf8)
        #expect(stats.contains("\"lostSegments\":\(store.deleted.segments)"))
        // What is left is published.
        let reference = try referenceChunks(store: setup.store.path, configuration: setup.configuration.tracker).chunks.map(\.chunk)
        #expect(statistics.chunksPublished == UInt64(reference.count))
        #expect(try setup.chunksInTopic(atLeast: reference.count) == reference)
    }
}
