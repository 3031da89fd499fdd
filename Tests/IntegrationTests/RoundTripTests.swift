import Foundation
import Testing

/// Import, then export everything: the store gives back exactly the packets it was given
/// (times, lengths, bytes, link types), as the union of the inputs stable-sorted by time, and
/// other tools open what it writes.
@Suite("Round trip: import then export everything")
struct RoundTripTests {
    /// Packets of the inputs in import order, stable-sorted by time: what an export must be.
    static func expectedExport(_ paths: [String]) throws -> [CapturedPacket] {
        PacketComparison.timeOrdered(try paths.flatMap { try CaptureFile(path: $0).packets })
    }

    /// Three link types whose times interleave (KakaoTalk's SLL packets shifted into the 7 s of
    /// rdp.pcap's null packets), an exact copy of rdp.pcap out of order (every packet ties with
    /// one of the original's), pcapng and pcap inputs, exported as pcapng.
    @Test func mixedLinkTypesAndOverlappingTimes() async throws {
        let scratch = try TemporaryDirectory("roundtrip")
        let rdp = try CaptureFile(path: Fixtures.path("rdp.pcap")).packets
        let kakao = try CaptureFile(path: Fixtures.path("KakaoTalk_talk.pcap")).packets
        // Shift KakaoTalk to start 2.003017 s after rdp.pcap; microseconds, as editcap and the file keep them.
        let shift = rdp[0].time + 2_003_017_000 - kakao[0].time
        let shifted = try await DerivedCaptures.shifted("KakaoTalk_talk.pcap", bySeconds: Self.seconds(shift), into: scratch)
        let shiftedPackets = try CaptureFile(path: shifted).packets
        #expect(shiftedPackets.count == kakao.count && shiftedPackets[0].time == rdp[0].time + 2_003_017_000,
                "editcap did not shift as asked")
        let inputs = [Fixtures.path("rdp.pcap"), shifted, Fixtures.path("1kxun.pcap"), Fixtures.path("wechat.pcap"),
                      try DerivedCaptures.shuffled("rdp.pcap", into: scratch), Fixtures.path("KakaoTalk_talk.pcap")]
        let cli = try TapedeckCLI(in: scratch)
        try await cli.importSucceeding(inputs)

        let expected = try Self.expectedExport(inputs)
        let output = scratch.path("all.pcapng")
        let (result, _) = try await cli.query("after 1970-01-01T00:00:00Z", options: ["--format", "pcapng", "-w", output])
        #expect(result.succeeded, "\(result.summary)")
        let export = try CaptureFile(path: output)
        #expect(export.format == .pcapng)
        #expect(export.damageOffset == nil)
        #expect(Set(export.linkTypes) == [0, 1, 113] && export.linkTypes.count == 3,
                "one interface per link type expected, got \(export.linkTypes)")
        #expect(export.timestampResolutions.allSatisfy { $0 == 9 }, "default pcapng resolution is nanoseconds: \(export.timestampResolutions)")
        if let difference = PacketComparison.difference(expected: expected, actual: export.packets) {
            Issue.record("pcapng export of \(inputs.count) files: \(difference)")
        }
        #expect(try await Tshark.packetCount(output) == expected.count)
        #expect(try await Capinfos.packetCount(output) == expected.count)

        // Without a format, a result that spans link types is pcapng too.
        let implicit = try await cli.queryPackets("after 1970-01-01T00:00:00Z")
        #expect(implicit.format == .pcapng)
        #expect(PacketComparison.difference(expected: expected, actual: implicit.packets) == nil)

        // Microsecond pcapng: every input is in microseconds, so nothing changes but the resolution.
        let micro = try await cli.queryPackets("after 1970-01-01T00:00:00Z", options: ["--format", "pcapng", "--usec"])
        #expect(micro.timestampResolutions.allSatisfy { $0 == 6 } && !micro.timestampResolutions.isEmpty)
        if let difference = PacketComparison.difference(expected: expected, actual: micro.packets) {
            Issue.record("microsecond pcapng export: \(difference)")
        }

        // Asking for pcap when the result spans link types is refused, and writes nothing.
        let refused = scratch.path("refused.pcap")
        let (pcapResult, _) = try await cli.query("after 1970-01-01T00:00:00Z", options: ["--format", "pcap", "-w", refused])
        #expect(pcapResult.status == 2 && pcapResult.stderrText.contains("pcapng"), "\(pcapResult.summary)")
        #expect(!FileManager.default.fileExists(atPath: refused))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).allSatisfy { !$0.hasSuffix(".tmp") })
    }

    /// A store of a single link type exports a pcap (nanosecond magic, that link type) that
    /// libpcap reads, holding exactly the input packets in time order.
    struct SingleLinkType: Sendable, CustomTestStringConvertible {
        var files: [String]
        var linkType: UInt32
        /// Derive an out-of-order copy of the first file instead of using it as is.
        var shuffled = false
        var testDescription: String { (shuffled ? "shuffled " : "") + files.joined(separator: " + ") }
    }

    static let singleLinkTypes: [SingleLinkType] = [
        SingleLinkType(files: ["rdp.pcap"], linkType: 0),
        SingleLinkType(files: ["KakaoTalk_talk.pcap"], linkType: 113),
        SingleLinkType(files: ["1kxun.pcap"], linkType: 1),
        SingleLinkType(files: ["wechat.pcap", "no_sni.pcap", "1kxun.pcap", "anyconnect-vpn-300.pcap"], linkType: 1),
        SingleLinkType(files: ["no_sni.pcap"], linkType: 1, shuffled: true),
    ]

    @Test(arguments: singleLinkTypes)
    func singleLinkTypeExportIsTheInput(_ store: SingleLinkType) async throws {
        let scratch = try TemporaryDirectory("single")
        let inputs = store.shuffled
            ? [try DerivedCaptures.shuffled(store.files[0], into: scratch)]
            : store.files.map(Fixtures.path)
        let cli = try TapedeckCLI(in: scratch)
        try await cli.importSucceeding(inputs)
        let expected = try Self.expectedExport(inputs)

        let output = scratch.path("export.pcap")
        let (result, _) = try await cli.query("after 1970-01-01T00:00:00Z", options: ["-w", output])
        #expect(result.succeeded, "\(result.summary)")
        let export = try CaptureFile(path: output)
        #expect(export.format == .pcap(nanoseconds: true, bigEndian: false))
        #expect(export.linkTypes == [store.linkType])
        if let difference = PacketComparison.difference(expected: expected, actual: export.packets) {
            Issue.record("export of \(store.testDescription): \(difference)")
        }
        if inputs.count == 1, !store.shuffled {
            #expect(PacketComparison.difference(expected: try CaptureFile(path: inputs[0]).packets, actual: export.packets) == nil,
                    "an export of one in-order file is that file's packets")
        }
        // libpcap (tcpdump), tshark and capinfos read it, packet for packet.
        let reread = try await Tcpdump.filter(output, "")
        #expect(PacketComparison.difference(expected: expected, actual: reread) == nil, "tcpdump reads the export differently")
        #expect(try await Tshark.packetCount(output) == expected.count)
        #expect(try await Capinfos.packetCount(output) == expected.count)
    }

    /// Nanoseconds as the seconds text editcap's `-t` takes (sign, seconds, nine decimals).
    static func seconds(_ nanoseconds: Int64) -> String {
        let sign = nanoseconds < 0 ? "-" : ""
        let magnitude = nanoseconds.magnitude
        let fraction = String(magnitude % 1_000_000_000)
        return "\(sign)\(magnitude / 1_000_000_000).\(String(repeating: "0", count: 9 - fraction.count))\(fraction)"
    }
}
