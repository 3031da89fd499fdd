import Testing
import TapedeckCore

/// A sink that records the size of each write it receives.
struct CountingSink: ByteSink {
    var writeSizes: [Int] = []
    var bytes: [UInt8] = []

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        writeSizes.append(bytes.count)
        self.bytes.append(contentsOf: bytes)
    }
}

/// A sink that fails every write.
struct FailingSink: ByteSink {
    struct Failure: Error {}

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws { throw Failure() }
}

/// Writes `bytes` as one record.
func write<Sink>(_ writer: PcapWriter<Sink>, _ bytes: [UInt8], at time: Timestamp, originalLength: UInt32? = nil,
                 linkType: LinkType = .ethernet) throws {
    try bytes.withUnsafeBytes {
        try writer.write(PacketRecord(timestamp: time, originalLength: originalLength ?? UInt32($0.count), linkType: linkType, bytes: $0))
    }
}

@Suite("PcapWriter")
struct PcapWriterTests {
    @Test("the file header has the magic of the precision, version 2.4, the snap length and the link type",
          arguments: [(TimestampPrecision.nanoseconds, UInt32(0xA1B2_3C4D)), (.microseconds, 0xA1B2_C3D4)])
    func fileHeader(precision: TimestampPrecision, magic: UInt32) throws {
        let writer = PcapWriter(sink: MemorySink(), linkType: .linuxSLL, precision: precision)
        try writer.flush()
        let bytes = writer.sink.bytes
        #expect(bytes.count == 24 && writer.bytesWritten == 24 && writer.packetsWritten == 0)
        #expect(Array(bytes[0..<4]) == Build.littleEndian32(magic))
        #expect(Array(bytes[4..<8]) == [2, 0, 4, 0])
        #expect(Array(bytes[8..<16]) == [UInt8](repeating: 0, count: 8))
        #expect(Array(bytes[16..<20]) == Build.littleEndian32(262_144))
        #expect(Array(bytes[20..<24]) == Build.littleEndian32(113))
        let file = try readPcap(bytes)
        #expect(!file.bigEndian && file.version == (2, 4) && file.linkType == .linuxSLL && file.packets.isEmpty)
    }

    @Test("records read back with their bytes, lengths and times", arguments: [TimestampPrecision.nanoseconds, .microseconds])
    func roundTrip(precision: TimestampPrecision) throws {
        let writer = PcapWriter(sink: MemorySink(), linkType: .ethernet, precision: precision)
        let samples = SamplePackets.ethernet + SamplePackets.tags
        for (index, sample) in samples.enumerated() {
            try write(writer, sample.bytes, at: Timestamp(seconds: 1_600_000_000 + Int64(index), nanoseconds: 999_999_999),
                      originalLength: UInt32(sample.bytes.count + 100))
        }
        try writer.flush()
        #expect(writer.packetsWritten == samples.count)
        #expect(writer.bytesWritten == 24 + samples.map { 16 + $0.bytes.count }.reduce(0, +))
        #expect(writer.bytesWritten == writer.sink.bytes.count)
        let file = try readPcap(writer.sink.bytes)
        #expect(file.magic == (precision == .nanoseconds ? 0xA1B2_3C4D : 0xA1B2_C3D4))
        #expect(file.packets.map(\.bytes) == samples.map(\.bytes))
        #expect(file.packets.map(\.originalLength) == samples.map { UInt32($0.bytes.count + 100) })
        for (index, packet) in file.packets.enumerated() {
            let fraction: Int64 = precision == .nanoseconds ? 999_999_999 : 999_999_000
            #expect(packet.timestamp == Timestamp(seconds: 1_600_000_000 + Int64(index), nanoseconds: fraction))
        }
    }

    @Test("a record of another link type is refused with a typed error and nothing written")
    func linkTypeMismatch() throws {
        let writer = PcapWriter(sink: MemorySink(), linkType: .ethernet)
        #expect(throws: PcapWriterError.linkTypeMismatch(file: .ethernet, record: .linuxSLL)) {
            try write(writer, SamplePackets.cooked[0].bytes, at: Timestamp(nanoseconds: 0), linkType: .linuxSLL)
        }
        try writer.flush()
        #expect(writer.packetsWritten == 0 && writer.sink.bytes.count == 24)
    }

    @Test("writes reach the sink only when the buffer fills or on flush")
    func buffering() throws {
        let writer = PcapWriter(sink: CountingSink(), linkType: .raw, bufferCapacity: 1024)
        let packet = [UInt8](repeating: 0x45, count: 100)
        // 24 + 8 × 116 = 952 bytes fit in the buffer; the ninth record's bytes do not.
        for _ in 0..<8 { try write(writer, packet, at: Timestamp(nanoseconds: 1), linkType: .raw) }
        #expect(writer.sink.writeSizes.isEmpty && writer.bytesWritten == 952)
        for _ in 8..<100 { try write(writer, packet, at: Timestamp(nanoseconds: 1), linkType: .raw) }
        let sizes = writer.sink.writeSizes
        #expect(sizes.count == 12 && sizes.allSatisfy { $0 > 1024 - 116 && $0 <= 1024 }, "\(sizes)")
        try writer.flush()
        try writer.flush()
        #expect(writer.sink.writeSizes.count == sizes.count + 1, "a flush writes once, an empty flush not at all")
        #expect(try readPcap(writer.sink.bytes).packets.count == 100)

        // A record larger than the buffer goes to the sink directly, after what was buffered.
        let jumbo = [UInt8](repeating: 0x45, count: 5000)
        try write(writer, jumbo, at: Timestamp(nanoseconds: 2), linkType: .raw)
        try writer.flush()
        let file = try readPcap(writer.sink.bytes)
        #expect(file.packets.count == 101 && file.packets.last?.bytes == jumbo)
        #expect(writer.bytesWritten == writer.sink.bytes.count)
    }

    @Test("records longer than the snap length are cut to it; the original length is at least the captured one")
    func snapLength() throws {
        let writer = PcapWriter(sink: MemorySink(), linkType: .raw, snapLength: 64)
        try write(writer, [UInt8](repeating: 0x45, count: 100), at: Timestamp(nanoseconds: 0), originalLength: 1500, linkType: .raw)
        try write(writer, [UInt8](repeating: 0x45, count: 40), at: Timestamp(nanoseconds: 0), originalLength: 10, linkType: .raw)
        try writer.flush()
        let file = try readPcap(writer.sink.bytes)
        #expect(file.snapLength == 64)
        #expect(file.packets.map(\.bytes.count) == [64, 40] && file.packets.map(\.originalLength) == [1500, 40])
    }

    @Test("times are floored to the resolution and clamped to what 32-bit seconds hold")
    func timestamps() throws {
        let cases: [(written: Int64, nanoseconds: Int64, microseconds: Int64)] = [
            (0, 0, 0),
            (1_999, 1_999, 1_000),
            (1_600_000_000_123_456_789, 1_600_000_000_123_456_789, 1_600_000_000_123_456_000),
            (-1, 0, 0),  // before the epoch: the epoch
            (-86_400_000_000_000, 0, 0),
            (4_294_967_295_999_999_999, 4_294_967_295_999_999_999, 4_294_967_295_999_999_000),  // the last instant
            (4_294_967_296_000_000_000, 4_294_967_295_999_999_999, 4_294_967_295_999_999_000),  // after: clamped
        ]
        for precision in [TimestampPrecision.nanoseconds, .microseconds] {
            let writer = PcapWriter(sink: MemorySink(), linkType: .raw, precision: precision)
            for time in cases { try write(writer, [0x45], at: Timestamp(nanoseconds: time.written), linkType: .raw) }
            try writer.flush()
            let read = try readPcap(writer.sink.bytes).packets.map(\.timestamp.nanoseconds)
            #expect(read == cases.map { precision == .nanoseconds ? $0.nanoseconds : $0.microseconds })
        }
    }

    @Test("a failing sink's error reaches the caller")
    func sinkError() throws {
        let writer = PcapWriter(sink: FailingSink(), linkType: .raw, bufferCapacity: 64)
        #expect(throws: FailingSink.Failure.self) { try writer.flush() }
        #expect(throws: FailingSink.Failure.self) {
            try write(writer, [UInt8](repeating: 0x45, count: 100), at: Timestamp(nanoseconds: 0), linkType: .raw)
        }
    }

    @Test("an empty result is a valid pcap file holding only the header")
    func empty() throws {
        let writer = PcapWriter(sink: MemorySink(), linkType: .ethernet, precision: .microseconds)
        try writer.flush()
        #expect(try readPcap(writer.sink.bytes).packets.isEmpty)
    }
}
