import Foundation
import Logging
import Synchronization
import TapedeckCapture
import TapedeckCore
import TapedeckDaemon
import TapedeckFlows
import TapedeckKafka
import TapedeckPOSIX
import TapedeckStorage
@_exported import KafkaTestSupport

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init(_ label: String = "daemon") throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tapedeck-\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The capture files in `Tests/Fixtures`.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }
}

/// Appends every packet of the capture files to `writer`, and flushes.
func append(_ fixtures: [String], to writer: StoreWriter) throws {
    for fixture in fixtures {
        let reader = try PcapFileReader(path: Fixtures.path(fixture))
        while let record = try reader.next() { try writer.append(record) }
    }
    try writer.flush()
}

/// Imports the capture files into a new store at `directory`.
func importStore(_ fixtures: [String], directory: String,
                 configuration: StoreWriter.Configuration = StoreWriter.Configuration()) throws {
    let writer = try StoreWriter(directory: directory, configuration: configuration,
                                 logger: Logger(label: "store") { _ in SwiftLogNoOpLogHandler() })
    try append(fixtures, to: writer)
    try writer.close()
}

/// A flow chunk as the tests compare them: what a consumer sees of a message.
struct PublishedChunk: Hashable, CustomStringConvertible {
    var flowID: String
    var chunk: UInt32
    var isFinal: Bool
    var closeReason: String?
    var fiveTuple: String
    var pcap: [UInt8]

    var identity: ChunkIdentity { ChunkIdentity(flowID: flowID, chunk: chunk) }

    var description: String {
        "flow \(flowID) chunk \(chunk)\(isFinal ? " final (\(closeReason ?? "?"))" : "") \(fiveTuple) \(pcap.count) bytes"
    }

    /// The chunk a flow table emitted.
    init(_ chunk: FlowChunk) {
        flowID = FlowChunkHeaders.flowIDText(chunk.flowID.rawValue)
        self.chunk = chunk.index
        isFinal = chunk.isFinal
        closeReason = chunk.closeReason?.rawValue
        fiveTuple = chunk.key.description
        pcap = chunk.pcapBytes()
    }

    /// The chunk a message carries; nil when the message is not a well-formed flow chunk.
    init?(_ message: KafkaConsumerMessage) {
        guard let key = message.key, let id = message.header(KafkaHeaders.flowID)?.stringValue,
              String(decoding: key, as: UTF8.self) == id,
              let chunk = message.header(KafkaHeaders.chunk)?.stringValue.flatMap({ UInt32($0) }),
              let final = message.header(KafkaHeaders.final)?.stringValue, final == "true" || final == "false",
              let tuple = message.header(KafkaHeaders.fiveTuple)?.stringValue else { return nil }
        flowID = id
        self.chunk = chunk
        isFinal = final == "true"
        closeReason = message.header(KafkaHeaders.closeReason)?.stringValue
        fiveTuple = tuple
        pcap = message.value
    }
}

/// (flow id, chunk index): what a consumer dedupes by.
struct ChunkIdentity: Hashable, CustomStringConvertible {
    var flowID: String
    var chunk: UInt32
    var description: String { "\(flowID)#\(chunk)" }
}

/// A flow chunk collector.
struct Chunks: FlowEventSink {
    var chunks: [FlowChunk] = []
    mutating func receive(_ chunk: FlowChunk) { chunks.append(chunk) }
    mutating func receive(_ segment: StreamSegment) {}
}

/// What a flow table with `configuration` makes of the store at `directory`, read in store
/// order (each packet's origin its store position), when it is flushed (close reason `shutdown`)
/// at the end; with, for every chunk, the store position of the packet that completed it (the
/// position after the last packet for the flushed ones).
func referenceChunks(store directory: String, configuration: FlowTrackerConfiguration,
                     stoppingAt stop: StoreLogPosition? = nil) throws
    -> (chunks: [(chunk: PublishedChunk, after: StoreLogPosition)], tracker: FlowTracker, position: StoreLogPosition) {
    let tracker = FlowTracker(configuration: configuration)
    let reader = StoreLogReader(directory: directory)
    var sink = Chunks()
    var result: [(chunk: PublishedChunk, after: StoreLogPosition)] = []
    struct Stop: Error {}
    do {
        _ = try reader.readAvailable { record, position in
            if let stop, position >= stop { throw Stop() }
            tracker.process(record, origin: position.ordinal, into: &sink)
            for chunk in sink.chunks {
                result.append((PublishedChunk(chunk), StoreLogPosition(segment: position.segment, packet: position.packet + 1)))
            }
            sink.chunks.removeAll()
        }
    } catch is Stop {
        return (result, tracker, reader.position)
    }
    tracker.flushAll(reason: .shutdown, into: &sink)
    for chunk in sink.chunks { result.append((PublishedChunk(chunk), reader.position)) }
    return (result, tracker, reader.position)
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        usleep(20_000)
    }
}

/// Ethernet + IPv4 + TCP with the given endpoints, flags and `payload` bytes of filler.
func ethernetTCP(source: UInt32, destination: UInt32, sourcePort: UInt16, destinationPort: UInt16, sequence: UInt32 = 1,
                 flags: UInt8 = 0x18, payload: Int = 20) -> [UInt8] {
    var bytes: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00]
    let totalLength = 20 + 20 + payload
    bytes += [0x45, 0, UInt8(totalLength >> 8), UInt8(totalLength & 0xFF), 0, 0, 0x40, 0, 64, 6, 0, 0]
    for value in [source, destination] {
        bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
    bytes += [UInt8(sourcePort >> 8), UInt8(sourcePort & 0xFF), UInt8(destinationPort >> 8), UInt8(destinationPort & 0xFF)]
    bytes += [UInt8(sequence >> 24), UInt8(sequence >> 16 & 0xFF), UInt8(sequence >> 8 & 0xFF), UInt8(sequence & 0xFF)]
    bytes += [0, 0, 0, 0, 0x50, flags, 0xFF, 0xFF, 0, 0, 0, 0]
    bytes += Array(repeating: 0x61, count: payload)
    return bytes
}
