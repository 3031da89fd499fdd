import Foundation
import TapedeckCapture
import TapedeckCore
import Testing

/// Real captures read end to end, against figures from tcpdump and capinfos.
///
/// Expected values were computed once with
/// `tcpdump --time-stamp-precision=nano -r FILE -w OUT` and a script that walks OUT and prints
/// the packet count, first/last time stamp, byte totals and the digest ``ReadSummary`` computes;
/// counts, link types, first/last times and "Data size" agree with `capinfos -M FILE`.
@Suite struct PcapFileReaderTests {
    struct Expected: Sendable, CustomStringConvertible {
        var file: String
        var linkType: LinkType
        var packets: Int
        var first: Int64
        var last: Int64
        var capturedBytes: Int
        var digest: UInt64
        var description: String { file }
    }

    static let captures: [Expected] = [
        // BSD loopback, microsecond pcap, little-endian. capinfos: 2010 packets, data size 622743.
        Expected(file: "rdp.pcap", linkType: .null, packets: 2010,
                 first: 1_559_207_465_138_576_000, last: 1_559_207_472_692_980_000,
                 capturedBytes: 622_743, digest: 0xb133_a927_a468_9d9c),
        // Linux cooked capture v1, microsecond pcap. capinfos: 3203 packets, data size 435792.
        Expected(file: "KakaoTalk_talk.pcap", linkType: .linuxSLL, packets: 3203,
                 first: 1_430_069_140_120_551_000, last: 1_430_069_216_559_027_000,
                 capturedBytes: 435_792, digest: 0x1ce4_1a98_792d_6aba),
        // Ethernet, pcapng despite its name (one IDB, 1439 EPBs, 5 ISBs). capinfos: 1439 packets.
        Expected(file: "1kxun.pcap", linkType: .ethernet, packets: 1439,
                 first: 1_470_104_373_025_824_000, last: 1_470_104_433_789_634_000,
                 capturedBytes: 629_825, digest: 0x0835_2234_0bb5_d256),
    ]

    @Test(arguments: captures)
    func readsEveryPacketAsTcpdumpDoes(_ expected: Expected) throws {
        let path = Fixtures.path(expected.file)
        var reader = try PcapFileReader(path: path)
        #expect(reader.linkType == expected.linkType)
        #expect(reader.name == path)
        let summary = readAll(&reader)
        #expect(summary.error == nil)
        #expect(summary.packets == expected.packets)
        #expect(reader.packetsRead == expected.packets)
        #expect(summary.firstTimestamp == expected.first)
        #expect(summary.lastTimestamp == expected.last)
        #expect(summary.capturedBytes == expected.capturedBytes)
        #expect(summary.originalBytes == expected.capturedBytes)
        #expect(summary.digest == expected.digest, "\(summary)")
        // ftello on libpcap's stream tracks pcap and pcapng alike, to the last byte.
        let size = try #require(reader.fileSize)
        #expect(size == Int64(try Fixtures.bytes(expected.file).count))
        #expect(reader.bytesConsumed == size)
    }

    @Test func staysAtEndAfterEndOfFile() throws {
        let reader = try PcapFileReader(path: Fixtures.path("rdp.pcap"))
        while try reader.next() != nil {}
        #expect(try reader.next() == nil)
        #expect(try reader.next() == nil)
        #expect(reader.packetsRead == 2010)
    }

    @Test func reportsProgressBeforeTheFirstPacket() throws {
        let reader = try PcapFileReader(path: Fixtures.path("KakaoTalk_talk.pcap"))
        // libpcap has read the 24-byte file header (through a stdio buffer ftello accounts for).
        #expect(reader.bytesConsumed == 24)
        _ = try reader.next()
        #expect(reader.bytesConsumed == Int64(24 + 16 + 130))  // the first captured length is 130
    }

    @Test func recordsBorrowLibpcapsBufferWithTheCapturedBytes() throws {
        // First packet of rdp.pcap, checked with `tcpdump -r rdp.pcap -c1 -xx`:
        // BSD null header 02 00 00 00 (AF_INET, little-endian), then an IPv4 header.
        let reader = try PcapFileReader(path: Fixtures.path("rdp.pcap"))
        let record = try #require(try reader.next())
        #expect(record.linkType == .null)
        #expect(Array(record.bytes.prefix(5)) == [0x02, 0x00, 0x00, 0x00, 0x45])
        #expect(record.capturedLength == record.originalLength)
    }

    @Test(arguments: [false, true])
    func nanosecondPcapKeepsEveryDigit(bigEndian: Bool) throws {
        let fractions: [UInt32] = [123_456_789, 999_999_999, 1, 0]
        var bytes = pcapHeader(magic: 0xa1b2_3c4d, linkType: 101, bigEndian: bigEndian)
        for (index, fraction) in fractions.enumerated() {
            bytes += pcapRecord(seconds: 1_700_000_000 + UInt32(index), fraction: fraction,
                                data: [0x45, 0, 0, 20, UInt8(index)], bigEndian: bigEndian)
        }
        let file = try TemporaryFile(bytes)
        let reader = try PcapFileReader(path: file.path)
        #expect(reader.linkType == .raw)
        for (index, fraction) in fractions.enumerated() {
            let record = try #require(try reader.next())
            #expect(record.timestamp == Timestamp(seconds: 1_700_000_000 + Int64(index), nanoseconds: Int64(fraction)))
            #expect(Array(record.bytes) == [0x45, 0, 0, 20, UInt8(index)])
        }
        #expect(try reader.next() == nil)
    }

    @Test func microsecondPcapIsScaledToNanoseconds() throws {
        let bytes = pcapHeader(magic: 0xa1b2_c3d4, linkType: 1)
            + pcapRecord(seconds: 1_000_000_000, fraction: 999_999, data: Array(repeating: 0, count: 14))
        let file = try TemporaryFile(bytes)
        let record = try #require(try PcapFileReader(path: file.path).next())
        #expect(record.timestamp.nanoseconds == 1_000_000_000_999_999_000)
    }

    @Test func pcapngWithNanosecondResolutionKeepsEveryDigit() throws {
        // SHB, IDB (Ethernet, if_tsresol = 9), one EPB whose 64-bit time is in nanoseconds.
        var bytes: [UInt8] = []
        bytes.append32(0x0A0D_0D0A); bytes.append32(28); bytes.append32(0x1A2B_3C4D)
        bytes.append16(1); bytes.append16(0); bytes.append64(UInt64.max); bytes.append32(28)
        bytes.append32(1); bytes.append32(32); bytes.append16(1); bytes.append16(0); bytes.append32(0)
        bytes.append16(9); bytes.append16(1); bytes += [9, 0, 0, 0]   // if_tsresol = 10^-9, padded
        bytes.append16(0); bytes.append16(0); bytes.append32(32)      // opt_endofopt
        let time: UInt64 = 1_700_000_000_123_456_789
        let frame: [UInt8] = Array(repeating: 0xAB, count: 14)
        bytes.append32(6); bytes.append32(32 + 16); bytes.append32(0)
        bytes.append32(UInt32(time >> 32)); bytes.append32(UInt32(truncatingIfNeeded: time))
        bytes.append32(14); bytes.append32(60); bytes += frame + [0, 0]; bytes.append32(32 + 16)
        let file = try TemporaryFile(bytes, suffix: ".pcapng")
        let reader = try PcapFileReader(path: file.path)
        let record = try #require(try reader.next())
        #expect(record.timestamp.nanoseconds == Int64(time))
        #expect(record.originalLength == 60)
        #expect(Array(record.bytes) == frame)
        #expect(try reader.next() == nil)
        #expect(reader.bytesConsumed == Int64(bytes.count))
    }

    @Test func headerOnlyFileHasNoPackets() throws {
        let file = try TemporaryFile(pcapHeader(magic: 0xa1b2_c3d4, linkType: 113))
        let reader = try PcapFileReader(path: file.path)
        #expect(reader.linkType == .linuxSLL)
        #expect(try reader.next() == nil)
        #expect(reader.packetsRead == 0)
    }

    /// `tcpdump -r` of a one-packet pcap per LINKTYPE 0...299, written back with `-w`, keeps the
    /// number except 11, 12, 15, 16, 19 (become 100, 101, 102, 103, 106: libpcap reads them as
    /// the Linux DLT_ATM_RFC1483, DLT_RAW, DLT_SLIP_BSDOS, DLT_PPP_BSDOS, DLT_ATM_CLIP), and
    /// refuses to write values libpcap has no LINKTYPE for (2–5, 13, 14, 17, 18, 20–49,
    /// 52–98, 290–299); those are kept unchanged here.
    @Test func linkTypesMatchWhatTcpdumpWrites() throws {
        let renumbered: [UInt32: UInt32] = [11: 100, 12: 101, 15: 102, 16: 103, 19: 106]
        for fileValue in UInt32(0)..<300 {
            let bytes = pcapHeader(magic: 0xa1b2_c3d4, linkType: fileValue)
                + pcapRecord(seconds: 1, fraction: 2, data: [0x45, 0, 0, 4])
            let file = try TemporaryFile(bytes)
            let reader = try PcapFileReader(path: file.path)
            let expected = LinkType(rawValue: renumbered[fileValue] ?? fileValue)
            #expect(reader.linkType == expected, "file LINKTYPE \(fileValue)")
            #expect(try reader.next()?.linkType == expected)
        }
    }

    @Test func pipesHaveNoOffsets() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tapedeck-fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("capture").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // Two whole packets of KakaoTalk_talk.pcap, then 11 bytes of the third record header.
        let bytes = try Fixtures.bytes("KakaoTalk_talk.pcap")
        let third = bytes.pcapRecordOffsets()[2]
        let writer = Thread {
            try? Data(bytes[..<(third + 11)]).write(to: URL(fileURLWithPath: fifo))
        }
        writer.start()
        var reader = try PcapFileReader(path: fifo)
        #expect(reader.fileSize == nil)
        #expect(reader.bytesConsumed == nil)
        let summary = readAll(&reader)
        #expect(summary.packets == 2)
        #expect(summary.error == .corrupt(path: fifo, packetNumber: 3, byteOffset: nil,
                                          reason: "truncated dump file; tried to read 16 header bytes, only got 11"))
    }
}
