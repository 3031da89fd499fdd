import Foundation
import TapedeckCapture
import TapedeckCore
import Testing

/// Damaged, fuzzed and foreign inputs: the reader returns exactly the packets
/// `tcpdump -r FILE -w -` writes before its error, then a typed error that says where.
///
/// Every expected count, message and figure below was obtained once by running
/// `tcpdump [--time-stamp-precision=nano] -r FILE -w OUT` (tcpdump 4.99, libpcap 1.10.3) on the
/// same bytes and counting OUT with `capinfos -c`.
@Suite struct DamagedCaptureTests {
    struct Expected: Sendable, CustomStringConvertible {
        var file: String
        var linkType: LinkType
        var packets: Int
        var capturedBytes: Int
        var digest: UInt64
        /// (packet number, byte offset, libpcap's message) when tcpdump stops with an error.
        var error: (packetNumber: Int, byteOffset: Int64, reason: String)?
        var description: String { file }
    }

    /// `Tests/Fixtures/malformed`: all but one are damaged inside packets (which a file reader
    /// does not look at), so tcpdump reads them to the end.
    static let malformed: [Expected] = [
        Expected(file: "dhcp-fuzz.pcapng", linkType: .ethernet, packets: 1,
                 capturedBytes: 342, digest: 0xd22a_66b7_abcf_1682),
        Expected(file: "fuzz-2006-06-26-2594.pcap", linkType: .ethernet, packets: 691,
                 capturedBytes: 99997, digest: 0x96e3_b045_3569_dc7d),
        Expected(file: "fuzz-2006-09-29-28586.pcap", linkType: .ethernet, packets: 131,
                 capturedBytes: 33626, digest: 0x4dae_783f_b19c_c9f1),
        Expected(file: "fuzz-2020-02-16-11740.pcap", linkType: .ethernet, packets: 366,
                 capturedBytes: 175_856, digest: 0x8873_078b_bfe0_09a4),
        // Original length 4093509168 for 48 captured bytes, snapshot length 268435708: accepted.
        // Its microsecond field 0xffea9138 is -1404616 in libpcap's signed field, so the time is
        // 1953631157 s - 1.404616 s (the digest script reads the fields as signed, as libpcap does).
        Expected(file: "fuzz-2021-06-07-c6c72a0a56.pcap", linkType: .ethernet, packets: 1,
                 capturedBytes: 48, digest: 0xd2f2_4aaa_7c5b_805e),
        // Nanosecond pcap, LINKTYPE field 0x40000000 (reserved upper bits set, NULL below them);
        // the file ends 2 bytes into the second record header.
        Expected(file: "fuzz-2021-10-13.pcap", linkType: .null, packets: 1,
                 capturedBytes: 197, digest: 0xed02_b24a_2db3_b5cf,
                 error: (2, 237, "truncated dump file; tried to read 16 header bytes, only got 2")),
        Expected(file: "ip_fragmented_garbage.pcap", linkType: .ethernet, packets: 9077,
                 capturedBytes: 453_734, digest: 0x126d_2655_6105_b2ae),
        Expected(file: "kerberos_fuzz.pcapng", linkType: .ipv4, packets: 1,
                 capturedBytes: 288, digest: 0xda1b_a2a8_f38b_47dd),
    ]

    @Test(arguments: malformed)
    func malformedFixturesReadAsTcpdumpReadsThem(_ expected: Expected) throws {
        let path = Fixtures.path("malformed/" + expected.file)
        var reader = try PcapFileReader(path: path)
        #expect(reader.linkType == expected.linkType)
        let summary = readAll(&reader)
        #expect(summary.packets == expected.packets)
        #expect(summary.capturedBytes == expected.capturedBytes)
        #expect(summary.digest == expected.digest, "\(summary)")
        if let error = expected.error {
            #expect(summary.error == .corrupt(path: path, packetNumber: error.packetNumber,
                                              byteOffset: error.byteOffset, reason: error.reason))
        } else {
            #expect(summary.error == nil)
        }
    }

    // MARK: Damage made from a good pcap (KakaoTalk_talk.pcap: snapshot length 65535; record 101
    // starts at byte 20543 and holds 115 bytes).

    static func kakaoTalk() throws -> (bytes: [UInt8], record101: Int) {
        let bytes = try Fixtures.bytes("KakaoTalk_talk.pcap")
        let record101 = bytes.pcapRecordOffsets()[100]
        #expect(record101 == 20543)
        return (bytes, record101)
    }

    @Test func truncatedRecordHeader() throws {
        let (bytes, record101) = try Self.kakaoTalk()
        let file = try TemporaryFile(Array(bytes[..<(record101 + 11)]))
        let summary = try readAll(path: file.path)
        #expect(summary.packets == 100)
        #expect(summary.error == .corrupt(path: file.path, packetNumber: 101, byteOffset: 20543,
                                          reason: "truncated dump file; tried to read 16 header bytes, only got 11"))
    }

    @Test func truncatedPacketData() throws {
        let (bytes, record101) = try Self.kakaoTalk()
        let file = try TemporaryFile(Array(bytes[..<(record101 + 16 + 5)]))
        let summary = try readAll(path: file.path)
        #expect(summary.packets == 100)
        #expect(summary.error == .corrupt(path: file.path, packetNumber: 101, byteOffset: 20543,
                                          reason: "truncated dump file; tried to read 115 captured bytes, only got 5"))
    }

    @Test func capturedLengthAboveTheMaximumIsRejected() throws {
        var (bytes, record101) = try Self.kakaoTalk()
        bytes.store32(300_000, at: record101 + 8)
        let file = try TemporaryFile(bytes)
        let summary = try readAll(path: file.path)
        #expect(summary.packets == 100)
        #expect(summary.error == .corrupt(path: file.path, packetNumber: 101, byteOffset: 20543,
                                          reason: "invalid packet capture length 300000, bigger than snaplen of 65535"))
    }

    /// Above the snapshot length but within libpcap's 256 KiB maximum: libpcap (and tcpdump)
    /// return the first 65535 bytes as packet 101 and skip the rest, and the next "record" is
    /// then garbage.
    @Test func capturedLengthAboveTheSnapshotLengthIsCut() throws {
        var (bytes, record101) = try Self.kakaoTalk()
        bytes.store32(70000, at: record101 + 8)
        let file = try TemporaryFile(bytes)
        let reader = try PcapFileReader(path: file.path)
        for _ in 1...100 { _ = try reader.next() }
        let record = try #require(try reader.next())
        #expect(record.capturedLength == 65535)
        #expect(record.originalLength == 115)
        #expect(throws: CaptureError.corrupt(path: file.path, packetNumber: 102, byteOffset: 20543 + 16 + 70000,
                                             reason: "invalid packet capture length 97954901, bigger than snaplen of 65535")) {
            try reader.next()
        }
    }

    /// A file header whose snapshot length (64) is below the records' lengths: tcpdump reads all
    /// 3203 packets, each cut to 64 bytes.
    @Test func smallSnapshotLengthCutsEveryPacket() throws {
        var (bytes, _) = try Self.kakaoTalk()
        bytes.store32(64, at: 16)
        let file = try TemporaryFile(bytes)
        var reader = try PcapFileReader(path: file.path)
        var packets = 0
        var longest: UInt32 = 0
        while let record = try reader.next() {
            packets += 1
            longest = max(longest, record.capturedLength)
        }
        #expect(packets == 3203)
        #expect(longest == 64)
        #expect(readAll(&reader).error == nil)
    }

    /// Captured length above the original length is odd but tcpdump reads it; so do we.
    @Test func capturedLengthAboveOriginalLengthIsKept() throws {
        var (bytes, record101) = try Self.kakaoTalk()
        bytes.store32(10, at: record101 + 12)
        let file = try TemporaryFile(bytes)
        let reader = try PcapFileReader(path: file.path)
        for _ in 1...100 { _ = try reader.next() }
        let record = try #require(try reader.next())
        #expect(record.capturedLength == 115)
        #expect(record.originalLength == 10)
        var rest = 0
        while try reader.next() != nil { rest += 1 }
        #expect(101 + rest == 3203)
    }

    @Test func errorsAreSticky() throws {
        let (bytes, record101) = try Self.kakaoTalk()
        let file = try TemporaryFile(Array(bytes[..<(record101 + 11)]))
        let reader = try PcapFileReader(path: file.path)
        while (try? reader.next()) != nil {}
        let expected = CaptureError.corrupt(path: file.path, packetNumber: 101, byteOffset: 20543,
                                            reason: "truncated dump file; tried to read 16 header bytes, only got 11")
        #expect(throws: expected) { try reader.next() }
        #expect(throws: expected) { try reader.next() }
        #expect(reader.packetsRead == 100)
    }

    // MARK: Damage made from a good pcapng (1kxun.pcap: SHB, IDB, then EPBs; the 101st EPB
    // starts at byte 16936 and is 100 bytes long).

    static func kxun() throws -> (bytes: [UInt8], block: Int, length: Int) {
        let bytes = try Fixtures.bytes("1kxun.pcap")
        let packets = bytes.pcapngBlocks().filter { $0.type == 6 }
        #expect(packets.count == 1439)
        #expect(packets[100].offset == 16936 && packets[100].length == 100)
        return (bytes, packets[100].offset, packets[100].length)
    }

    @Test func truncatedPcapngBlock() throws {
        let (bytes, block, length) = try Self.kxun()
        let file = try TemporaryFile(Array(bytes[..<(block + length / 2)]), suffix: ".pcapng")
        let summary = try readAll(path: file.path)
        #expect(summary.packets == 100)
        #expect(summary.error == .corrupt(path: file.path, packetNumber: 101, byteOffset: 16936,
                                          reason: "truncated pcapng dump file; tried to read 92 bytes, only got 42"))
    }

    @Test func impossiblePcapngBlockLength() throws {
        var (bytes, block, _) = try Self.kxun()
        bytes.store32(7, at: block + 4)
        let file = try TemporaryFile(bytes, suffix: ".pcapng")
        let summary = try readAll(path: file.path)
        #expect(summary.packets == 100)
        #expect(summary.error == .corrupt(path: file.path, packetNumber: 101, byteOffset: 16936,
                                          reason: "block in pcapng dump file has a length of 7 < 12"))
    }

    // MARK: pcapng with interfaces of different link types.
    //
    // mixed-linktypes.pcapng is `mergecap -F pcapng -w mixed-linktypes.pcapng sll3.pcap eth3.pcap`
    // of `editcap -r KakaoTalk_talk.pcap sll3.pcap 1-3` (Linux SLL) and
    // `editcap -r bitcoin.pcap eth3.pcap 1-3` (Ethernet). Blocks: SHB (0, 136 bytes),
    // IDB #0 SLL (136), IDB #1 Ethernet (156), three Ethernet EPBs (176...1683), three SLL EPBs
    // (1684...2175). libpcap 1.10 takes the first IDB's link type and refuses the second IDB.

    @Test func secondInterfaceWithAnotherLinkTypeIsRefused() throws {
        let path = Fixtures.path("mixed-linktypes.pcapng")
        var reader = try PcapFileReader(path: path)
        #expect(reader.linkType == .linuxSLL)
        let summary = readAll(&reader)
        #expect(summary.packets == 0)
        #expect(summary.error == .unsupported(path: path, packetNumber: 1, byteOffset: 156,
                                              reason: "an interface has a type 1 different from the type of the first interface"))
    }

    /// The same blocks with the Ethernet IDB and its packets moved after the SLL packets:
    /// the three SLL packets come first, then the refusal at the Ethernet IDB (byte 648).
    @Test func packetsBeforeTheSecondInterfaceAreKept() throws {
        let bytes = try Fixtures.bytes("mixed-linktypes.pcapng")
        let reordered = Array(bytes[0..<156] + bytes[1684...] + bytes[156..<176] + bytes[176..<1684])
        let file = try TemporaryFile(reordered, suffix: ".pcapng")
        let summary = try readAll(path: file.path)
        #expect(summary.packets == 3)
        #expect(summary.digest == 0x6190_1885_a552_4f90, "\(summary)")
        let error = CaptureError.unsupported(path: file.path, packetNumber: 4, byteOffset: 648,
                                             reason: "an interface has a type 1 different from the type of the first interface")
        #expect(summary.error == error)
        #expect("\(error)".contains("byte offset 648"))
    }

    /// A second SLL interface with snapshot length 1000 instead of 65535 is refused as well.
    @Test func secondInterfaceWithAnotherSnapshotLengthIsRefused() throws {
        let bytes = try Fixtures.bytes("mixed-linktypes.pcapng")
        var secondInterface = Array(bytes[136..<156])
        secondInterface.store32(1000, at: 12)
        let file = try TemporaryFile(Array(bytes[0..<156] + bytes[1684...]) + secondInterface + Array(bytes[1684...]),
                                     suffix: ".pcapng")
        let summary = try readAll(path: file.path)
        #expect(summary.packets == 3)
        #expect(summary.error == .unsupported(
            path: file.path, packetNumber: 4, byteOffset: 648,
            reason: "an interface has a snapshot length 1000 different from the snapshot length of the first interface"))
    }

    // MARK: Not capture files at all.

    @Test func notCaptureFilesCannotBeOpened() throws {
        let text = try TemporaryFile(Array("hello, this is not a capture file at all\n".utf8), suffix: ".txt")
        let empty = try TemporaryFile([])
        let shortHeader = try TemporaryFile(Array(try Fixtures.bytes("rdp.pcap")[..<10]))
        let shortSection = try TemporaryFile(Array(try Fixtures.bytes("1kxun.pcap")[..<50]), suffix: ".pcapng")
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("tapedeck-missing-\(UUID().uuidString).pcap").path
        let directory = FileManager.default.temporaryDirectory.path
        let cases: [(String, String)] = [
            (text.path, "unknown file format"),
            (empty.path, "truncated dump file; tried to read 4 file header bytes, only got 0"),
            (shortHeader.path, "truncated dump file; tried to read 24 file header bytes, only got 6"),
            (shortSection.path, "truncated pcapng dump file; tried to read 124 bytes, only got 38"),
            (missing, "No such file or directory"),
            (directory, "error reading dump file: Is a directory"),
        ]
        for (path, reason) in cases {
            #expect(throws: CaptureError.cannotOpen(path: path, reason: reason)) {
                try PcapFileReader(path: path)
            }
        }
    }

    @Test func descriptionsSayWhatAndWhere() {
        let corrupt = CaptureError.corrupt(path: "x.pcap", packetNumber: 101, byteOffset: 20543,
                                           reason: "truncated dump file; tried to read 16 header bytes, only got 11")
        #expect("\(corrupt)" == "x.pcap: cannot read packet 101 at byte offset 20543: "
            + "truncated dump file; tried to read 16 header bytes, only got 11 (the 100 packets before it were read)")
        let first = CaptureError.corrupt(path: "-", packetNumber: 2, byteOffset: nil, reason: "r")
        #expect("\(first)" == "-: cannot read packet 2: r (the 1 packet before it was read)")
        let open = CaptureError.cannotOpen(path: "x.txt", reason: "unknown file format")
        #expect("\(open)" == "cannot open x.txt as a capture file: unknown file format")
    }
}
