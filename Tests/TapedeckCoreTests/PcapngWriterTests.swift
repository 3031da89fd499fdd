import Foundation
import Testing
import TapedeckCore

@Suite("PcapngWriter")
struct PcapngWriterTests {
    @Test("records of several link types read back with one interface per link type in order of appearance",
          arguments: [TimestampPrecision.nanoseconds, .microseconds])
    func roundTrip(precision: TimestampPrecision) throws {
        let samples = [SamplePackets.cooked[0], SamplePackets.ethernet[0], SamplePackets.loopback[0],
                       SamplePackets.ethernet[2], SamplePackets.cooked[1], SamplePackets.raw[0]]
        let writer = PcapngWriter(sink: MemorySink(), precision: precision)
        for (index, sample) in samples.enumerated() {
            try sample.bytes.withUnsafeBytes { bytes in
                try writer.write(PacketRecord(timestamp: Timestamp(seconds: 1_700_000_000 + Int64(index), nanoseconds: 123_456_789),
                                              originalLength: UInt32(bytes.count + index), linkType: sample.linkType, bytes: bytes))
            }
        }
        try writer.flush()
        #expect(writer.interfaces == [.linuxSLL, .ethernet, .null, .raw])
        #expect(writer.packetsWritten == samples.count && writer.bytesWritten == writer.sink.bytes.count)

        let file = try readPcapng(writer.sink.bytes)
        let resolution: UInt8 = precision == .nanoseconds ? 9 : 6
        #expect(file.interfaces == [.linuxSLL, .ethernet, .null, .raw].map {
            ReadPcapngFile.Interface(linkType: $0, snapLength: 262_144, resolution: resolution)
        })
        #expect(file.packets.map(\.interfaceID) == [0, 1, 2, 1, 0, 3])
        for (index, (packet, sample)) in zip(file.packets, samples).enumerated() {
            #expect(packet.bytes == sample.bytes && packet.linkType == sample.linkType)
            #expect(packet.originalLength == UInt32(sample.bytes.count + index))
            let fraction: Int64 = precision == .nanoseconds ? 123_456_789 : 123_456_000
            #expect(packet.timestamp == Timestamp(seconds: 1_700_000_000 + Int64(index), nanoseconds: fraction))
        }
    }

    @Test("blocks are padded to 32 bits for every captured length")
    func padding() throws {
        let writer = PcapngWriter(sink: MemorySink())
        let payloads = (0..<9).map { [UInt8](repeating: UInt8($0), count: $0) }
        for payload in payloads {
            try payload.withUnsafeBytes { bytes in
                try writer.write(PacketRecord(timestamp: Timestamp(nanoseconds: 5), originalLength: 9, linkType: .raw, bytes: bytes))
            }
        }
        try writer.flush()
        // SHB 28, IDB 32, then 32 bytes + the padded data per packet.
        #expect(writer.sink.bytes.count == 28 + 32 + payloads.map { 32 + ($0.count + 3) / 4 * 4 }.reduce(0, +))
        #expect(try readPcapng(writer.sink.bytes).packets.map(\.bytes) == payloads)
    }

    @Test("the writer produces the synthetic fixture byte for byte (TAPEDECK_UPDATE_FIXTURES=1 rewrites it)")
    func syntheticFixture() throws {
        let bytes = try SyntheticCapture.bytes()
        let url = Fixtures.directory.appendingPathComponent(SyntheticCapture.fileName)
        if ProcessInfo.processInfo.environment["TAPEDECK_UPDATE_FIXTURES"] == "1" {
            try Data(bytes).write(to: url)
        }
        #expect(try Fixtures.bytes(SyntheticCapture.fileName) == bytes)
    }

    @Test("timestamps are written in 64-bit units since the epoch, floored, and clamped at 1970")
    func timestamps() throws {
        let times: [Int64] = [0, 1_999, 1_000_000_001_999, 9_223_372_036_854_775_807, -1, -1_500_000_000]
        for precision in [TimestampPrecision.nanoseconds, .microseconds] {
            let writer = PcapngWriter(sink: MemorySink(), precision: precision)
            for time in times {
                try [UInt8]([0x45]).withUnsafeBytes { bytes in
                    try writer.write(PacketRecord(timestamp: Timestamp(nanoseconds: time), originalLength: 1, linkType: .raw, bytes: bytes))
                }
            }
            try writer.flush()
            let read = try readPcapng(writer.sink.bytes).packets.map(\.timestamp.nanoseconds)
            let unit: Int64 = precision == .nanoseconds ? 1 : 1_000
            #expect(read == times.map { max(0, $0) / unit * unit })
        }
    }
}
