// The Swift side of Benchmarks/kafka.sh: publishes the messages of a kcat-style input file (one
// `KEY<TAB>VALUE` per line, as `kcat -P -K '\t'` reads it) with KafkaProducer or DurablePublisher,
// and exits once the broker acknowledged every one.
//
// Usage: tapedeck-bench-kafka producer|durable BROKERS TOPIC INPUT [-X key=value…] [NAME=VALUE header…]
import Foundation
import Synchronization
import Logging
import TapedeckKafka
import TapedeckPOSIX

let arguments = CommandLine.arguments
guard arguments.count >= 5, ["producer", "durable"].contains(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: tapedeck-bench-kafka producer|durable BROKERS TOPIC INPUT [-X key=value…] [NAME=VALUE…]\n".utf8))
    exit(2)
}
let (mode, brokers, topic, input) = (arguments[1], arguments[2], arguments[3], arguments[4])
var properties: [String: String] = [:]
var headers = KafkaHeaderBlock()
var rest = arguments.dropFirst(5)[...]
while let argument = rest.popFirst() {
    let isProperty = argument == "-X"
    let parts = (isProperty ? rest.popFirst() ?? "" : argument).split(separator: "=", maxSplits: 1).map(String.init)
    if isProperty {
        properties[parts[0]] = parts.count > 1 ? parts[1] : ""
    } else {
        headers.append(KafkaHeader(name: parts[0], string: parts.count > 1 ? parts[1] : ""))
    }
}
var logger = Logger(label: "tapedeck.bench.kafka") { StreamLogHandler.standardError(label: $0) }
logger.logLevel = .warning
var configuration = KafkaProducerConfiguration(bootstrapServers: brokers.split(separator: ",").map(String.init))
configuration.properties = properties

/// Calls `body` with the key and value of every line of the input, in order, reading the file
/// line by line as kcat reads its standard input (`getdelim`).
func forEachMessage(_ body: ([UInt8], [UInt8]) throws -> Void) throws {
    guard let file = fopen(input, "r") else { throw Errno(code: errno, function: "fopen", context: input) }
    defer { fclose(file) }
    var buffer: UnsafeMutablePointer<CChar>?
    var capacity = 0
    defer { free(buffer) }
    while true {
        let length = getdelim(&buffer, &capacity, Int32(UInt8(ascii: "\n")), file)
        guard length > 0, let buffer else { return }
        let line = UnsafeRawBufferPointer(start: buffer, count: buffer[length - 1] == 10 ? length - 1 : length)
        if let tab = line.firstIndex(of: UInt8(ascii: "\t")) {
            try body(Array(line[..<tab]), Array(line[(tab + 1)...]))
        } else {
            try body([], Array(line))
        }
    }
}

/// Counts failed deliveries.
final class Failures: Sendable {
    private let failed = Mutex<Int>(0)
    var count: Int { failed.withLock { $0 } }
    func record(_ report: KafkaDeliveryReport) {
        if case .failure = report.status { failed.withLock { $0 += 1 } }
    }
}

var count: UInt64 = 0
do {
    switch mode {
    case "producer":
        let failures = Failures()
        let producer = try KafkaProducer(configuration: configuration, logger: logger, deliveryReportHandler: failures.record)
        try forEachMessage { key, value in
            try producer.produce(topic: topic, key: key, value: value, headers: headers, id: count)
            count += 1
        }
        guard producer.close(timeout: .seconds(600)), failures.count == 0 else {
            print("failed: \(failures.count) delivery failures")
            exit(1)
        }
    default:
        let directory = NSTemporaryDirectory() + "tapedeck-bench-kafka-\(getpid())"
        try FileSystem.createDirectory(directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let publisher = try DurablePublisher<UInt64>(
            configuration: DurablePublisherConfiguration(producer: configuration, topic: topic, cursorPath: directory + "/cursor"),
            logger: logger)
        try forEachMessage { key, value in
            count += 1
            try publisher.publish(PublishableUnit(position: count, key: key, value: value, headers: headers))
        }
        try publisher.close(timeout: .seconds(600))
        guard publisher.cursor == count else {
            print("failed: cursor \(publisher.cursor.map(String.init) ?? "none") after \(count) messages")
            exit(1)
        }
    }
} catch {
    print("failed: \(error)")
    exit(1)
}
print("\(count) messages acknowledged")
