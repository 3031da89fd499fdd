import Foundation
import Logging
import TapedeckKafka

/// The real Kafka broker the Kafka integration tests talk to, and kcat, the independent client
/// that checks what reached it.
///
/// `.ci/run` starts noida-db (a Kafka-protocol broker from PyPI) on a free port and exports its
/// address as `TAPEDECK_TEST_KAFKA`; without it these tests fail rather than skip.
enum KafkaBroker {
    /// Why the broker is not there.
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// `host:port` from `TAPEDECK_TEST_KAFKA`.
    static func address() throws -> String {
        guard let address = ProcessInfo.processInfo.environment["TAPEDECK_TEST_KAFKA"], !address.isEmpty else {
            throw Missing(description: "TAPEDECK_TEST_KAFKA is not set: the Kafka integration tests need a real broker. "
                + ".ci/run starts one (pip install noida-db==0.2.3; noida-db start --only kafka --host 127.0.0.1 "
                + "--kafka-port P --data-dir D) and exports TAPEDECK_TEST_KAFKA=127.0.0.1:P; do the same to run them by hand")
        }
        return address
    }

    /// A unique topic name; the broker creates topics on first use (one partition).
    static func uniqueTopic(_ prefix: String) -> String {
        "tapedeck-test-\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// A logger for the Kafka clients under test.
    static let logger = Logger(label: "tapedeck.kafka.integration") { _ in SwiftLogNoOpLogHandler() }

    /// One message as kcat printed it (`kcat -C -J`).
    struct KcatMessage: Equatable {
        var partition: Int
        var offset: Int64
        var key: String?
        var payload: String?
        /// Header names and values, in order.
        var headers: [KafkaHeaderPair]
    }

    /// A header as kcat prints it: name and (string) value.
    struct KafkaHeaderPair: Equatable, CustomStringConvertible {
        var name: String
        var value: String?
        var description: String { "\(name)=\(value ?? "null")" }
    }

    /// The first `count` messages of `topic` (one partition), read with a consumer of its own
    /// (a new group, from the beginning); fails if they do not arrive within 60 s.
    static func consume(_ topic: String, count: Int) throws -> [KafkaConsumerMessage] {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: [try address()], groupID: uniqueTopic("reader"))
        configuration.maxMessageBytes = 2 << 20
        let consumer = try KafkaConsumer(configuration: configuration, topics: [topic], logger: logger)
        defer { try? consumer.close() }
        var messages: [KafkaConsumerMessage] = []
        let deadline = ContinuousClock.now + .seconds(60)
        while messages.count < count, ContinuousClock.now < deadline {
            if let message = try consumer.poll(timeout: .milliseconds(500)) { messages.append(message) }
        }
        guard messages.count == count else { throw Missing(description: "read \(messages.count) of \(count) messages from \(topic)") }
        return messages
    }

    /// Everything in `topic`, read from the beginning to the end by kcat (`-C -e -J`).
    static func kcatConsume(_ topic: String) async throws -> [KcatMessage] {
        let kcat = try Tool.find("kcat", package: "kcat")
        let result = try await ProcessRunner.run(kcat, ["-b", try address(), "-C", "-t", topic, "-o", "beginning", "-e", "-J", "-q",
                                                        "-X", "fetch.message.max.bytes=2000000"])
        guard result.succeeded else { throw Missing(description: result.summary) }
        return try result.stdoutText.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw Missing(description: "kcat printed a line that is not a JSON object: \(line.prefix(200))")
            }
            let flat = object["headers"] as? [Any] ?? []
            let headers = stride(from: 0, to: flat.count - 1, by: 2).map { index in
                KafkaHeaderPair(name: flat[index] as? String ?? "", value: flat[index + 1] as? String)
            }
            return KcatMessage(partition: object["partition"] as? Int ?? -1, offset: (object["offset"] as? NSNumber)?.int64Value ?? -1,
                               key: object["key"] as? String, payload: object["payload"] as? String, headers: headers)
        }
    }
}
