import Foundation
import Testing
import TapedeckAlerts
import TapedeckCore
import TapedeckKafka
import TapedeckPOSIX
import TapedeckQuery
import TapedeckStorage
@testable import TapedeckDaemon

/// The evidence consumer against librdkafka's mock cluster and the real captures and alerts.
@Suite("Evidence consumer", .serialized)
struct EvidenceConsumerTests {
    let scratch = ScratchDirectory()
    let cluster: KafkaMockCluster
    let topic = "alerts-\(UUID().uuidString.prefix(8).lowercased())"

    init() throws {
        cluster = try KafkaMockCluster(brokers: 1, logger: testLogger)
        try cluster.createTopic(topic, partitions: 1, replicationFactor: 1)
    }

    func configuration(group: String = "evidence") -> EvidenceConfiguration {
        var configuration = EvidenceConfiguration(
            store: scratch.path + "/store", evidenceDirectory: scratch.path + "/evidence",
            consumer: KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: group))
        configuration.alertsTopic = topic
        // The mock cluster's group waits a session timeout for a member that left before it
        // rebalances; keep restarts quick.
        configuration.consumer.sessionTimeout = .seconds(6)
        return configuration
    }

    /// The first `count` messages of `topic` (read by a fresh group, at most 30 s).
    func readTopic(_ name: String, count: Int) throws -> [KafkaConsumerMessage] {
        var consumerConfiguration = KafkaConsumerConfiguration(bootstrapServers: cluster.bootstrapServers, groupID: "reader-\(UUID())")
        consumerConfiguration.startPosition = .beginning
        let consumer = try KafkaConsumer(configuration: consumerConfiguration, topics: [name], logger: testLogger)
        defer { try? consumer.close() }
        var messages: [KafkaConsumerMessage] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while messages.count < count, ContinuousClock.now < deadline {
            if let message = try consumer.poll(timeout: .milliseconds(200)) { messages.append(message) }
        }
        return messages
    }

    /// The bad records the consumer must count and skip.
    static let badLines = [
        "{not json",
        #"{"event_type":"flow","timestamp":"2019-03-14T19:04:03.371057+0000"}"#,
        #"{"event_type":"alert","timestamp":"2019-03-14T19:04:03.371057+0000","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"FOO"}"#,
        #"{"event_type":"alert","timestamp":"2004-05-13T10:17:09.123830+0000","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"TCP","src_port":1,"dest_port":2}"#,
    ]

    @Test func commitsOnlyAfterTheEvidenceIsDurableAndARestartResumes() throws {
        defer { scratch.remove() }
        let alerts = try fixtureAlertLines()
        try produce(Self.badLines + alerts, topic: topic, bootstrapServers: cluster.bootstrapServers)

        // No store yet: every alert fails to carve and is retried, none is committed.
        let failing = try runConsumer(configuration()) { $0.failures >= alerts.count && $0.consumed == alerts.count + 4 }
        #expect(failing.written == 0)
        #expect(failing.failures >= alerts.count)
        #expect(failing.rejected == [.malformedJSON: 1, .unknownProtocol: 1])
        #expect(failing.ignored == 1)
        #expect(try EvidenceDirectory.records(in: configuration().evidenceDirectory).isEmpty)

        // With the store, the same group gets the uncommitted alerts again (the bad records
        // before them were committed) and writes them; the old window is expired.
        try importCaptures(["\(fixtures)/ftp.pcap", "\(fixtures)/no_sni.pcap"], into: configuration().store)
        var notifying = configuration()
        notifying.notificationProducer = KafkaProducerConfiguration(bootstrapServers: cluster.bootstrapServers)
        notifying.notificationTopic = topic + ".evidence"
        let serving = try runConsumer(notifying) { $0.notified == alerts.count }
        #expect(serving.consumed == alerts.count + 1)
        #expect(serving.written == alerts.count)
        #expect(serving.notified == alerts.count)
        #expect(serving.expired == 1)
        #expect(serving.rejectedTotal == 0)

        let store = try StoreReader(directory: configuration().store)
        let records = try EvidenceDirectory.records(in: configuration().evidenceDirectory)
        #expect(records.count == alerts.count)
        for record in records {
            let pcap = try FileSystem.readWholeFile(try EvidenceDirectory.pcapPath(in: configuration().evidenceDirectory, id: record.id))
            #expect(SHA256.hex(pcap) == record.sha256)
            #expect(pcap.count == record.bytes)
            let alert = try EVEAlert(json: record.alerts[0])
            let expected = try QueryExecutor(store: store, expression: AlertQuery().expression(for: alert)).run { _ in }
            #expect(record.packets == expected.packetsMatched && record.packets > 0)
            #expect(record.query == AlertQuery().expression(for: alert).description)
        }
        // One notification per evidence: key the id, value the sidecar.
        let notifications = try readTopic(topic + ".evidence", count: alerts.count)
        #expect(Set(notifications.map { String(decoding: $0.key ?? [], as: UTF8.self) }) == Set(records.map(\.id)))
        for message in notifications {
            let record = try EvidenceRecord(json: try JSONParser.parse(message.value))
            #expect(records.contains(record))
        }

        // A restart of the group sees only what came after its commit: a later alert of the
        // FTP flow, which joins that flow's sidecar.
        let later = alerts[0].replacingOccurrences(of: "19:04:03.371057", with: "19:04:20.000000")
        try produce([later], topic: topic, bootstrapServers: cluster.bootstrapServers)
        let resumed = try runConsumer(configuration()) { $0.merged == 1 }
        #expect(resumed.consumed == 1)
        #expect(resumed.written == 0)
        let ftp = try #require(try EvidenceDirectory.records(in: configuration().evidenceDirectory).first { $0.flowID == 736_158_315_449_115 })
        #expect(ftp.alerts.count == 2)
        #expect(try FileSystem.contentsOfDirectory(configuration().evidenceDirectory).filter { $0.hasSuffix(".pcap") }.count == alerts.count)

        // Delivered again (another group, as after a crash before the commit): nothing new.
        let again = try runConsumer(configuration(group: "other")) { $0.redelivered == alerts.count + 1 }
        #expect(again.redelivered == alerts.count + 1)
        #expect(again.written == 0 && again.merged == 0)
        let statistics = try #require(EvidenceStatistics.read(fromDirectory: configuration().evidenceDirectory))
        #expect(statistics == again)
    }
}
