import Foundation
import TapedeckCapture
import TapedeckCore

/// Capture files shared by all test targets, in `Tests/Fixtures`.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }
}

/// A scratch file that is removed when the value is released.
final class TemporaryFile {
    let path: String

    init(_ bytes: [UInt8], suffix: String = ".pcap") throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("tapedeck-capture-\(UUID().uuidString)\(suffix)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// What reading a source to its end produced: the same figures the oracle script computes from
/// `tcpdump --time-stamp-precision=nano -r FILE -w OUT` (see `CaptureOracle.digest`).
struct ReadSummary: Equatable, CustomStringConvertible {
    var packets = 0
    var firstTimestamp: Int64?
    var lastTimestamp: Int64?
    var capturedBytes = 0
    var originalBytes = 0
    /// FNV-1a 64 over every packet's (time stamp ns as Int64 LE, captured length UInt32 LE,
    /// original length UInt32 LE, captured bytes), in order.
    var digest: UInt64 = 0xcbf2_9ce4_8422_2325
    var error: CaptureError?

    var description: String {
        "packets=\(packets) first=\(firstTimestamp.map(String.init) ?? "nil") last=\(lastTimestamp.map(String.init) ?? "nil") "
            + "captured=\(capturedBytes) original=\(originalBytes) digest=0x\(String(digest, radix: 16)) error=\(error.map { "\($0)" } ?? "nil")"
    }

    mutating func add(_ record: PacketRecord) {
        packets += 1
        let time = record.timestamp.nanoseconds
        if firstTimestamp == nil { firstTimestamp = time }
        lastTimestamp = time
        capturedBytes += record.bytes.count
        originalBytes += Int(record.originalLength)
        mix(UInt64(bitPattern: time), bytes: 8)
        mix(UInt64(record.capturedLength), bytes: 4)
        mix(UInt64(record.originalLength), bytes: 4)
        for byte in record.bytes {
            digest = (digest ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
    }

    private mutating func mix(_ value: UInt64, bytes: Int) {
        for shift in stride(from: 0, to: bytes * 8, by: 8) {
            digest = (digest ^ (value >> UInt64(shift) & 0xFF)) &* 0x0000_0100_0000_01B3
        }
    }
}

/// Reads `source` until it ends or throws.
func readAll(_ source: inout some PacketSource) -> ReadSummary {
    var summary = ReadSummary()
    do {
        while let record = try source.next() {
            summary.add(record)
        }
    } catch {
        summary.error = error
    }
    return summary
}

/// Reads the file at `path` until it ends or throws.
func readAll(path: String) throws -> ReadSummary {
    var reader = try PcapFileReader(path: path)
    return readAll(&reader)
}

/// Little-endian byte building for hand-made capture files.
extension Array where Element == UInt8 {
    mutating func append32(_ value: UInt32, bigEndian: Bool = false) {
        let ordered = bigEndian ? value.bigEndian : value.littleEndian
        Swift.withUnsafeBytes(of: ordered) { append(contentsOf: $0) }
    }

    mutating func append16(_ value: UInt16, bigEndian: Bool = false) {
        let ordered = bigEndian ? value.bigEndian : value.littleEndian
        Swift.withUnsafeBytes(of: ordered) { append(contentsOf: $0) }
    }

    mutating func append64(_ value: UInt64) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    func load32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2]) << 16 | UInt32(self[offset + 3]) << 24
    }

    mutating func store32(_ value: UInt32, at offset: Int) {
        for index in 0..<4 { self[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index))) }
    }

    /// Offsets of the records of a little-endian pcap file (after its 24-byte header).
    func pcapRecordOffsets() -> [Int] {
        var offsets: [Int] = []
        var offset = 24
        while offset + 16 <= count {
            offsets.append(offset)
            offset += 16 + Int(load32(at: offset + 8))
        }
        return offsets
    }

    /// (offset, type, length) of the blocks of a little-endian pcapng file.
    func pcapngBlocks() -> [(offset: Int, type: UInt32, length: Int)] {
        var blocks: [(Int, UInt32, Int)] = []
        var offset = 0
        while offset + 8 <= count {
            let length = Int(load32(at: offset + 4))
            blocks.append((offset, load32(at: offset), length))
            offset += length
        }
        return blocks
    }
}

/// A pcap file header: `magic` decides precision (0xa1b2c3d4 µs, 0xa1b23c4d ns).
func pcapHeader(magic: UInt32, snapLength: UInt32 = 65535, linkType: UInt32, bigEndian: Bool = false) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.append32(magic, bigEndian: bigEndian)
    bytes.append16(2, bigEndian: bigEndian)
    bytes.append16(4, bigEndian: bigEndian)
    bytes.append32(0, bigEndian: bigEndian)
    bytes.append32(0, bigEndian: bigEndian)
    bytes.append32(snapLength, bigEndian: bigEndian)
    bytes.append32(linkType, bigEndian: bigEndian)
    return bytes
}

/// One pcap record.
func pcapRecord(seconds: UInt32, fraction: UInt32, originalLength: UInt32? = nil, data: [UInt8], bigEndian: Bool = false) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.append32(seconds, bigEndian: bigEndian)
    bytes.append32(fraction, bigEndian: bigEndian)
    bytes.append32(UInt32(data.count), bigEndian: bigEndian)
    bytes.append32(originalLength ?? UInt32(data.count), bigEndian: bigEndian)
    return bytes + data
}
