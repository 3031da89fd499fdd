#if canImport(Glibc)
import Glibc
#endif
import Logging
import TapedeckCore
import TapedeckPOSIX
@testable import TapedeckStorage

/// A fresh directory under /tmp, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/tapedeck-storage-test-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    func remove() {
        _ = system("rm -rf '\(path)'")
    }
}

/// A packet to store: owned bytes plus metadata.
struct TestPacket: Equatable {
    var time: Int64
    var linkType: LinkType
    var bytes: [UInt8]
    var originalLength: UInt32

    func withRecord<T>(_ body: (PacketRecord) throws -> T) rethrows -> T {
        try bytes.withUnsafeBytes { raw in
            try body(PacketRecord(timestamp: Timestamp(nanoseconds: time), originalLength: originalLength,
                                  linkType: linkType, bytes: raw))
        }
    }

    init(time: Int64, linkType: LinkType = .ethernet, bytes: [UInt8], originalLength: UInt32? = nil) {
        self.time = time
        self.linkType = linkType
        self.bytes = bytes
        self.originalLength = originalLength ?? UInt32(bytes.count)
    }

    init(_ record: PacketRecord) {
        self.init(time: record.timestamp.nanoseconds, linkType: record.linkType, bytes: Array(record.bytes),
                  originalLength: record.originalLength)
    }
}

/// Ethernet + IPv4 + TCP with the given endpoints and `payload` bytes of filler.
func ethernetTCP(source: UInt32, destination: UInt32, sourcePort: UInt16, destinationPort: UInt16,
                 payload: Int = 20, fill: UInt8 = 0x61) -> [UInt8] {
    var bytes: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00]
    let totalLength = 20 + 20 + payload
    bytes += [0x45, 0, UInt8(totalLength >> 8), UInt8(totalLength & 0xFF), 0, 0, 0x40, 0, 64, 6, 0, 0]
    for value in [source, destination] {
        bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
    bytes += [UInt8(sourcePort >> 8), UInt8(sourcePort & 0xFF), UInt8(destinationPort >> 8), UInt8(destinationPort & 0xFF)]
    bytes += [0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xFF, 0xFF, 0, 0, 0, 0]
    bytes += Array(repeating: fill, count: payload)
    return bytes
}

/// A deterministic pseudo-random generator (SplitMix64) for reproducible test data.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let testLogger = Logger(label: "tapedeck.storage.tests") { _ in SwiftLogNoOpLogHandler() }

/// Writes `packets` to a new store at `directory` and closes it.
func writeStore(_ packets: [TestPacket], directory: String, configuration: StoreWriter.Configuration) throws {
    let writer = try StoreWriter(directory: directory, configuration: configuration, logger: testLogger)
    for packet in packets { try packet.withRecord { try writer.append($0) } }
    try writer.close()
}

/// Every packet of the store, segment by segment, block by block, in stored order.
func readAll(directory: String) throws -> [TestPacket] {
    var result: [TestPacket] = []
    for segment in try StoreReader(directory: directory).openSegments(overlapping: .all) {
        for block in 0..<segment.blockCount {
            try segment.forEachPacket(inBlock: block) { record in
                result.append(TestPacket(record))
                return true
            }
        }
    }
    return result
}

/// A mixed traffic sample: a few flows between a few hosts, one packet every `step` ns.
func sampleTraffic(count: Int, step: Int64 = 1_000_000, seed: UInt64 = 1) -> [TestPacket] {
    var generator = SeededGenerator(state: seed)
    return (0..<count).map { index in
        let host = UInt32(0x0A00_0000) | UInt32.random(in: 1...8, using: &generator)
        let server = UInt32(0xC0A8_0000) | UInt32.random(in: 1...4, using: &generator)
        let port = UInt16.random(in: 40000...40010, using: &generator)
        let bytes = ethernetTCP(source: host, destination: server, sourcePort: port, destinationPort: 443,
                                payload: Int.random(in: 0...1400, using: &generator),
                                fill: UInt8.random(in: 0...3, using: &generator))
        return TestPacket(time: 1_600_000_000_000_000_000 + Int64(index) * step, bytes: bytes)
    }
}
