import Foundation
import TapedeckCapture
import TapedeckCore

/// One packet a live source returned, copied out of the source's buffer.
struct LiveFrame: Equatable {
    var bytes: [UInt8]
    var originalLength: UInt32
    var timestamp: Timestamp
}

/// Captures, sources and comparisons shared by the live-capture tests.
enum LiveCaptureSupport {
    /// `Tests/Fixtures/<name>`.
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(name).path
    }

    /// The frames of the capture file at `path`, in order.
    static func frames(of path: String) throws -> [[UInt8]] {
        let reader = try PcapFileReader(path: path)
        var frames: [[UInt8]] = []
        while let record = try reader.next() {
            frames.append(Array(record.bytes))
        }
        return frames
    }

    /// A ring small enough for many tests at once: 8 MiB of 256 KiB blocks.
    static func afPacket(_ interface: String, _ change: (inout AFPacketConfiguration) -> Void = { _ in }) -> AFPacketConfiguration {
        var configuration = AFPacketConfiguration(interface: interface)
        configuration.ringSize = 8 << 20
        configuration.blockSize = 256 << 10
        change(&configuration)
        return configuration
    }

    /// Reads `source` until it returns nothing for `quietMilliseconds` (several block timeouts,
    /// so the kernel has handed over its last block) or finishes.
    static func drain(_ source: some LivePacketSource, quietMilliseconds: Int = 1000) throws -> [LiveFrame] {
        var source = source
        var frames: [LiveFrame] = []
        while let record = try source.next(timeoutMilliseconds: quietMilliseconds) {
            frames.append(LiveFrame(bytes: Array(record.bytes), originalLength: record.originalLength,
                                    timestamp: record.timestamp))
        }
        return frames
    }

    /// Reads `source` until it has finished (after a stop).
    static func readToEnd(_ source: some LivePacketSource) throws -> [LiveFrame] {
        var source = source
        var frames: [LiveFrame] = []
        while let record = try source.next() {
            frames.append(LiveFrame(bytes: Array(record.bytes), originalLength: record.originalLength,
                                    timestamp: record.timestamp))
        }
        return frames
    }

    /// Where `actual` first differs from `expected`, or `nil` when they are equal.
    static func difference(expected: [[UInt8]], actual: [[UInt8]]) -> String? {
        for index in 0..<min(expected.count, actual.count) where expected[index] != actual[index] {
            return "packet \(index + 1) differs: expected \(expected[index].count) bytes \(hex(expected[index])),"
                + " got \(actual[index].count) bytes \(hex(actual[index]))"
        }
        if expected.count != actual.count {
            return "expected \(expected.count) packets, got \(actual.count)"
        }
        return nil
    }

    /// Whether `part` is `whole` with some elements left out, order kept.
    static func isSubsequence(_ part: [[UInt8]], of whole: [[UInt8]]) -> Bool {
        var index = whole.startIndex
        for element in part {
            guard let found = whole[index...].firstIndex(of: element) else { return false }
            index = found + 1
        }
        return true
    }

    /// How often each frame occurs.
    static func multiset(_ frames: [[UInt8]]) -> [[UInt8]: Int] {
        frames.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.prefix(24).map { String(format: "%02x", $0) }.joined() + (bytes.count > 24 ? "…" : "")
    }

    /// `frame` with a tag (`tpid`, `tci`) after its MAC addresses.
    static func tagged(_ frame: [UInt8], tpid: UInt16, tci: UInt16) -> [UInt8] {
        Array(frame[..<12]) + [UInt8(tpid >> 8), UInt8(tpid & 0xFF), UInt8(tci >> 8), UInt8(tci & 0xFF)] + frame[12...]
    }

    /// Writes `frames` as an Ethernet pcap file in the temporary directory and returns its path;
    /// the caller removes it.
    static func writeCapture(_ frames: [[UInt8]]) throws -> String {
        let writer = TapedeckCore.PcapWriter(sink: MemorySink(), linkType: .ethernet)
        for (index, frame) in frames.enumerated() {
            try frame.withUnsafeBytes { bytes in
                try writer.write(PacketRecord(timestamp: Timestamp(seconds: 1_700_000_000, nanoseconds: Int64(index) * 1000),
                                              originalLength: UInt32(bytes.count), linkType: .ethernet, bytes: bytes))
            }
        }
        try writer.flush()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tapedeck-live-\(UUID().uuidString).pcap").path
        try Data(writer.sink.bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}
