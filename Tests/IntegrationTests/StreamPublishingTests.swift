import Foundation
import Testing
import TapedeckKafka

/// The optional streams topic against the real broker: `tapedeck import --kafka-streams-topic`,
/// read back with a consumer, each TCP direction's segments put together (offsets contiguous,
/// gaps where the headers say) and compared with what `tshark -z follow,tcp,raw` reassembles for
/// the same capture (the golden files in `Tests/Fixtures/follow`): same length and SHA-256.
@Suite("Kafka: the streams topic, against tshark's follow", .serialized)
struct StreamPublishingTests {
    @Test(arguments: ["ftp.pcap", "no_sni.pcap"])
    func streamsEqualTsharkFollow(_ name: String) async throws {
        let broker = try KafkaBroker.address()
        let scratch = try TemporaryDirectory("streams")
        let cli = try TapedeckCLI(in: scratch)
        let flowsTopic = KafkaBroker.uniqueTopic("flows")
        let streamsTopic = KafkaBroker.uniqueTopic("streams")
        let result = try await cli.run("import", ["--no-progress", "--kafka-brokers", broker, "--kafka-topic", flowsTopic,
                                                  "--kafka-streams-topic", streamsTopic, Fixtures.path(name)])
        try #require(result.succeeded, "\(result.summary)")
        let published = try publishedSegments(store: cli.store)
        try #require(published > 0)

        // Put each direction together from its segments, in index order.
        var directions: [String: (offset: UInt64, bytes: [UInt8])] = [:]
        for message in try KafkaBroker.consume(streamsTopic, count: published) {
            let header = { (name: String) in message.header(name)?.stringValue ?? "" }
            let tuple = header(KafkaHeaders.fiveTuple).split(separator: " ")
            try #require(tuple.count == 4, "5-tuple header \(header(KafkaHeaders.fiveTuple))")
            let (client, server) = (String(tuple[1]), String(tuple[3]))
            let sender = header(KafkaHeaders.direction) == KafkaHeaders.Direction.clientToServer.rawValue ? client : server
            let receiver = sender == client ? server : client
            let key = "\(sender) \(receiver)"
            var direction = directions[key] ?? (0, [])
            let offset = try #require(UInt64(header(KafkaHeaders.streamOffset)))
            let gap = header(KafkaHeaders.gaps)
            // The stream so far, then the gap (if any), must end where this segment starts.
            let gapLength = gap.isEmpty ? 0 : UInt64(gap.split(separator: "+")[1]) ?? 0
            #expect(direction.offset + gapLength == offset, "\(key): segment at \(offset) after \(direction.offset) + gap \(gap)")
            direction.bytes += message.value
            direction.offset = offset + UInt64(message.value.count)
            directions[key] = direction
        }

        // Compare with tshark's follow, per stream and node.
        let goldenText = try String(contentsOfFile: Fixtures.path("follow/\(name).follow.tsv"), encoding: .utf8)
        let golden: [[String]] = goldenText.split(separator: "\n").dropFirst().map { line in
            line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
        var compared = 0
        for row in golden {
            for (node, other, bytesColumn, digestColumn) in [(2, 3, 4, 5), (3, 2, 9, 10)] {
                let expectedBytes = Int(row[bytesColumn]) ?? -1
                let actual = directions["\(row[node]) \(row[other])"]?.bytes ?? []
                #expect(actual.count == expectedBytes, "stream \(row[0]) from \(row[node]): \(actual.count) bytes, tshark \(expectedBytes)")
                if actual.count == expectedBytes, expectedBytes > 0 {
                    #expect(try sha256(actual, in: scratch) == row[digestColumn], "stream \(row[0]) from \(row[node])")
                    compared += 1
                }
            }
        }
        #expect(compared > 0)
    }

    /// How many stream segments the import's publisher reported in `flow-publisher-stats.json`.
    private func publishedSegments(store: String) throws -> Int {
        let data = try Data(contentsOf: URL(fileURLWithPath: store + "/flow-publisher-stats.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let publisher = try #require(object["publisher"] as? [String: Any])
        return try #require(publisher["streamSegmentsPublished"] as? Int)
    }

    /// The SHA-256 of `bytes` in hex, by `sha256sum`.
    private func sha256(_ bytes: [UInt8], in scratch: TemporaryDirectory) throws -> String {
        let path = try scratch.write("digest-input", bytes)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Tool.find("sha256sum", package: "coreutils"))
        process.arguments = [path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }
}
