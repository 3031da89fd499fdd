#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import TapedeckAlerts
import TapedeckCapture
import TapedeckCore
import TapedeckDaemon
import TapedeckKafka
import TapedeckStorage

/// A fresh directory under /tmp, removed by `remove()`.
struct ScratchDirectory {
    let path: String

    init() {
        var template = Array("/tmp/tapedeck-daemon-test-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    func remove() {
        _ = system("rm -rf '\(path)'")
    }
}

/// The repository's `Tests/Fixtures` directory.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures").path

let testLogger = Logger(label: "tapedeck.daemon.tests") { _ in SwiftLogNoOpLogHandler() }

/// Imports capture files into a new store at `directory`.
func importCaptures(_ files: [String], into directory: String) throws {
    let writer = try StoreWriter(directory: directory, logger: testLogger)
    for file in files {
        let reader = try PcapFileReader(path: file)
        while let record = try reader.next() { try writer.append(record) }
    }
    try writer.close()
}

/// The lines of the real Suricata alerts for `ftp.pcap` and `no_sni.pcap`.
func fixtureAlertLines() throws -> [String] {
    try ["ftp.eve.json", "no_sni.eve.json"].flatMap { name in
        try String(contentsOfFile: "\(fixtures)/alerts/\(name)", encoding: .utf8).split(separator: "\n").map(String.init)
    }
}

/// Produces `values` to `topic` in order and waits until the cluster acknowledged them.
func produce(_ values: [String], topic: String, bootstrapServers: [String]) throws {
    let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: bootstrapServers),
                                     logger: testLogger) { _ in }
    for value in values { try producer.produce(topic: topic, key: nil, value: Array(value.utf8)) }
    try producer.flush(timeout: .seconds(30))
    _ = producer.close(timeout: .seconds(5))
}

/// Runs an evidence consumer on its thread until `condition` holds on its counters (or 60 s
/// pass), then stops it; returns its final counters.
func runConsumer(_ configuration: EvidenceConfiguration,
                 until condition: (EvidenceStatistics) -> Bool) throws -> EvidenceStatistics {
    let consumer = try EvidenceConsumer(configuration: configuration, logger: testLogger)
    let thread = try consumer.startThread()
    let deadline = ContinuousClock.now + .seconds(60)
    while !condition(consumer.statistics), ContinuousClock.now < deadline {
        usleep(20_000)  // polling the condition, not waiting for it
    }
    consumer.stop()
    thread.join()
    return consumer.statistics
}
