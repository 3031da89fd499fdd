// tapedeck-bench-flows: runs capture files through a FlowTracker (reassembly on, default limits)
// whose sink counts and drops what it emits, and prints one `key value` line:
// - `file_seconds`: reading the files with libpcap and tracking, packet by packet;
// - `seconds`: tracking alone, over the same packets loaded into memory beforehand (not timed),
//   which is the reassembly throughput that must keep up with ingestion.
// Used by Benchmarks/reassembly.sh; not a product.

import Foundation
import TapedeckCapture
import TapedeckCore
import TapedeckFlows

/// Counts what the tracker emits and keeps nothing.
struct DiscardingSink: FlowEventSink {
    var chunks = 0
    var chunkBytes = 0
    var segments = 0
    var streamBytes = 0

    mutating func receive(_ chunk: FlowChunk) {
        chunks += 1
        chunkBytes += chunk.pcapByteCount
    }

    mutating func receive(_ segment: StreamSegment) {
        segments += 1
        streamBytes += segment.bytes.count
    }
}

/// Packets held in memory: one buffer of bytes and each packet's metadata.
struct LoadedPackets {
    var bytes: [UInt8] = []
    var packets: [(timestamp: Timestamp, originalLength: UInt32, linkType: LinkType, range: Range<Int>)] = []

    init(_ paths: [String]) throws {
        for path in paths {
            let reader = try PcapFileReader(path: path)
            if let size = reader.fileSize { bytes.reserveCapacity(bytes.count + Int(size)) }
            while let record = try reader.next() {
                let start = bytes.count
                bytes.append(contentsOf: record.bytes.assumingMemoryBound(to: UInt8.self))
                packets.append((record.timestamp, record.originalLength, record.linkType, start..<bytes.count))
            }
        }
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func run(_ paths: [String]) throws {
    let clock = ContinuousClock()

    let fileTracker = FlowTracker()
    var fileSink = DiscardingSink()
    let fileStart = clock.now
    for path in paths {
        let reader = try PcapFileReader(path: path)
        while let record = try reader.next() {
            fileTracker.process(record, into: &fileSink)
        }
    }
    fileTracker.flushAll(into: &fileSink)
    let fileSeconds = seconds(clock.now - fileStart)

    let loaded = try LoadedPackets(paths)
    let tracker = FlowTracker()
    var sink = DiscardingSink()
    let start = clock.now
    loaded.bytes.withUnsafeBytes { bytes in
        for packet in loaded.packets {
            tracker.process(PacketRecord(timestamp: packet.timestamp, originalLength: packet.originalLength, linkType: packet.linkType,
                                         bytes: UnsafeRawBufferPointer(rebasing: bytes[packet.range])), into: &sink)
        }
    }
    tracker.flushAll(into: &sink)
    let trackingSeconds = seconds(clock.now - start)

    let statistics = tracker.statistics
    print("packets \(statistics.packets) bytes \(statistics.capturedBytes) flows \(statistics.flowsCreated) "
        + "evicted \(statistics.flowsClosed[.evicted]) chunks \(sink.chunks) chunk_bytes \(sink.chunkBytes) "
        + "segments \(sink.segments) stream_bytes \(sink.streamBytes) gaps \(statistics.streamGaps) "
        + "peak_memory \(statistics.peakMemoryInUse) file_seconds \(fileSeconds) seconds \(trackingSeconds)")
}

let paths = Array(CommandLine.arguments.dropFirst())
guard !paths.isEmpty else {
    print("usage: tapedeck-bench-flows FILE...")
    exit(2)
}
do {
    try run(paths)
} catch {
    print("tapedeck-bench-flows: \(error)")
    exit(1)
}
