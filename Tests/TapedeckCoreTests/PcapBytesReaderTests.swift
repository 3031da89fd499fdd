import TapedeckCore
import Testing

/// Every record of the pcap file in `bytes`, copied out, or the reader's error.
private func readAll(_ bytes: [UInt8]) throws(PcapBytesError) -> (reader: PcapBytesReader, packets: [(Timestamp, UInt32, LinkType, [UInt8])]) {
    let result: Result<(PcapBytesReader, [(Timestamp, UInt32, LinkType, [UInt8])]), PcapBytesError> = bytes.withUnsafeBytes { buffer in
        do throws(PcapBytesError) {
            var reader = try PcapBytesReader(validating: buffer)
            let validated = reader
            var packets: [(Timestamp, UInt32, LinkType, [UInt8])] = []
            while let record = reader.next(in: buffer) {
                packets.append((record.timestamp, record.originalLength, record.linkType, Array(record.bytes)))
            }
            #expect(reader.next(in: buffer) == nil)
            return .success((validated, packets))
        } catch {
            return .failure(error)
        }
    }
    return try result.get()
}

/// A pcap file of `packets` written by PcapWriter.
private func pcap(_ packets: [[UInt8]], precision: TimestampPrecision, linkType: LinkType = .ethernet,
                  start: Int64 = 1_700_000_000_123_456_789) throws -> [UInt8] {
    let writer = PcapWriter(sink: MemorySink(), linkType: linkType, precision: precision)
    for (index, bytes) in packets.enumerated() {
        try write(writer, bytes, at: Timestamp(nanoseconds: start + Int64(index) * 1_000_000_001),
                  originalLength: UInt32(bytes.count + index), linkType: linkType)
    }
    try writer.flush()
    return writer.sink.bytes
}

/// `file` with every 32- and 16-bit header field byte-swapped: what a big-endian writer produces.
private func byteSwapped(_ file: [UInt8]) -> [UInt8] {
    var swapped = file
    func swap(_ offset: Int, _ width: Int) { swapped[offset..<offset + width].reverse() }
    for offset in [0, 8, 12, 16, 20] { swap(offset, 4) }
    swap(4, 2)
    swap(6, 2)
    var offset = 24
    while offset < file.count {
        let captured = Int(file[offset + 8]) | Int(file[offset + 9]) << 8 | Int(file[offset + 10]) << 16
        for field in 0..<4 { swap(offset + field * 4, 4) }
        offset += 16 + captured
    }
    return swapped
}

@Suite("PcapBytesReader")
struct PcapBytesReaderTests {
    static let packets: [[UInt8]] = (0..<5).map { index in (0..<(60 + index * 300)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ index) } }

    @Test("both magics, either byte order: every packet with its bytes, time and lengths, borrowed from the file",
          arguments: [TimestampPrecision.nanoseconds, .microseconds], [false, true])
    func readsWhatPcapWriterWrote(precision: TimestampPrecision, bigEndian: Bool) throws {
        let written = try pcap(Self.packets, precision: precision, linkType: .linuxSLL)
        let file = bigEndian ? byteSwapped(written) : written
        let (reader, packets) = try readAll(file)
        #expect(reader.packetCount == Self.packets.count)
        #expect(reader.precision == precision && reader.linkType == .linuxSLL && reader.isBigEndian == bigEndian)
        #expect(packets.map(\.3) == Self.packets)
        #expect(packets.allSatisfy { $0.2 == .linuxSLL })
        #expect(packets.enumerated().allSatisfy { $1.1 == UInt32(Self.packets[$0].count + $0) })
        let start: Int64 = 1_700_000_000_123_456_789
        let expected = (0..<Self.packets.count).map { index in
            let time = start + Int64(index) * 1_000_000_001
            return Timestamp(nanoseconds: precision == .nanoseconds ? time : time / 1_000 * 1_000)
        }
        #expect(packets.map(\.0) == expected)
    }

    @Test("records point into the file's bytes: nothing is copied")
    func borrows() throws {
        let file = try pcap(Self.packets, precision: .nanoseconds)
        file.withUnsafeBytes { buffer in
            guard var reader = try? PcapBytesReader(validating: buffer) else { Issue.record("not read"); return }
            var offset = 24
            while let record = reader.next(in: buffer) {
                #expect(record.bytes.baseAddress == buffer.baseAddress! + offset + 16)
                offset += 16 + record.bytes.count
            }
            #expect(offset == buffer.count)
        }
    }

    @Test("a file header without records is an empty file")
    func headerOnly() throws {
        let (reader, packets) = try readAll(try pcap([], precision: .microseconds, linkType: .raw))
        #expect(reader.packetCount == 0 && packets.isEmpty && reader.linkType == .raw)
    }

    @Test("a cut-off header, record header or packet is refused whole, saying where")
    func truncated() throws {
        let file = try pcap(Self.packets, precision: .nanoseconds)
        #expect(throws: PcapBytesError.shortFileHeader(count: 0)) { try readAll([]) }
        #expect(throws: PcapBytesError.shortFileHeader(count: 23)) { try readAll(Array(file.prefix(23))) }
        let second = 24 + 16 + Self.packets[0].count
        #expect(throws: PcapBytesError.truncatedRecordHeader(packet: 2, offset: second, available: 10)) {
            try readAll(Array(file.prefix(second + 10)))
        }
        #expect(throws: PcapBytesError.truncatedPacket(packet: 2, offset: second, captured: Self.packets[1].count, available: 5)) {
            try readAll(Array(file.prefix(second + 16 + 5)))
        }
        // Every cut either ends on a record boundary, and reads the records before it, or is refused.
        var boundaries = [24: 0]
        var offset = 24
        for (index, packet) in Self.packets.enumerated() {
            offset += 16 + packet.count
            boundaries[offset] = index + 1
        }
        for length in 0..<file.count {
            let prefix = Array(file.prefix(length))
            if let count = boundaries[length] {
                #expect(try readAll(prefix).packets.map(\.3) == Array(Self.packets.prefix(count)))
            } else {
                #expect(throws: PcapBytesError.self) { try readAll(prefix) }
            }
        }
    }

    @Test("garbage, pcapng and impossible lengths are refused with a typed error")
    func garbage() throws {
        let text = Array("this is not a pcap file, it is text".utf8)
        #expect(throws: PcapBytesError.badMagic(0x7369_6874)) { try readAll(text) }
        var pcapng = [UInt8](repeating: 0, count: 28)
        pcapng.replaceSubrange(0..<4, with: [0x0A, 0x0D, 0x0D, 0x0A])
        #expect(throws: PcapBytesError.badMagic(0x0A0D_0D0A)) { try readAll(pcapng) }
        var huge = try pcap([Self.packets[0]], precision: .nanoseconds)
        huge.replaceSubrange(24 + 8..<24 + 12, with: [0, 0, 0x20, 0])  // 2 MiB captured
        #expect(throws: PcapBytesError.oversizePacket(packet: 1, offset: 24, captured: 0x20_0000)) { try readAll(huge) }
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var bytes = try pcap(Self.packets, precision: .microseconds)
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            // Damaged files are read or refused, never a crash; what is read stays inside the file.
            if let (reader, packets) = try? readAll(bytes) {
                #expect(packets.count == reader.packetCount)
                #expect(packets.map { 16 + $0.3.count }.reduce(24, +) == bytes.count)
            }
        }
    }
}
