import Foundation
import Testing
import TapedeckCore

/// Compares the decoder with tshark's dissection of real and synthetic captures. The expected
/// values were produced once by `Tests/Fixtures/make-decoder-golden.sh` (tshark 4.0, IP
/// reassembly off) and are committed next to the captures.
@Suite("Decoder: agreement with tshark")
struct DecoderGoldenTests {
    static let realCaptures = ["KakaoTalk_talk.pcap", "rdp.pcap", "1kxun.pcap", "anyconnect-vpn-300.pcap",
                               "ip_fragmented_garbage-62.pcap"]

    @Test("every packet of real captures decodes as tshark dissects it", arguments: realCaptures)
    func realCapture(_ name: String) throws {
        try compareWithTshark(try readCapture(try Fixtures.bytes(name)), golden: name + ".tshark.tsv")
    }

    @Test("the hand-built packets decode as tshark dissects them")
    func syntheticCapture() throws {
        let file = try readPcapng(try Fixtures.bytes(SyntheticCapture.fileName))
        try #require(file.packets.count == SamplePackets.wellFormed.count)
        try compareWithTshark(file.packets, golden: SyntheticCapture.fileName + ".tshark.tsv")
    }

    /// Decodes each packet and compares it with the matching row of the golden table.
    func compareWithTshark(_ packets: [ReadPacket], golden: String) throws {
        let rows = try Fixtures.table(golden)
        try #require(rows.count == packets.count, "\(golden) has \(rows.count) rows for \(packets.count) packets")
        var mismatches: [String] = []
        for (index, (packet, row)) in zip(packets, rows).enumerated() {
            let decoded = packet.bytes.withUnsafeBytes { PacketDecoder.decode($0, linkType: packet.linkType) }
            for problem in TsharkRow(row).mismatches(with: decoded) {
                mismatches.append("packet \(index + 1): \(problem)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.prefix(20).joined(separator: "\n"))")
        #expect(!packets.isEmpty)
    }
}

/// One row of tshark output and the decoding it implies.
struct TsharkRow {
    let row: [String: String]

    init(_ row: [String: String]) { self.row = row }

    /// All occurrences of `field`.
    func values(_ field: String) -> [String] {
        guard let text = row[field], !text.isEmpty else { return [] }
        return text.split(separator: ",").map(String.init)
    }

    /// The first (outermost) occurrence of `field`.
    func first(_ field: String) -> String? { values(field).first }

    func number(_ field: String) -> Int? {
        guard let text = first(field) else { return nil }
        return text.hasPrefix("0x") ? Int(text.dropFirst(2), radix: 16) : Int(text)
    }

    /// The protocol layers below the network layer that the decoder skips (IPv6 extension headers).
    static let extensionHeaders: Set<String> = ["ipv6.hopopts", "ipv6.routing", "ipv6.fraghdr", "ipv6.dstopts", "ah",
                                                "mipv6"]

    func mismatches(with decoded: DecodedPacket) -> [String] {
        var problems: [String] = []
        func check(_ condition: Bool, _ message: @autoclosure () -> String) {
            if !condition { problems.append(message()) }
        }
        let layers = values("frame.protocols").first.map { $0.split(separator: ":").map(String.init) } ?? []
        // tshark names the layer even when it rejects the header (a bogus version): then it has no addresses.
        let networkIndex = layers.firstIndex { $0 == "ip" && first("ip.src") != nil || $0 == "ipv6" && first("ipv6.src") != nil }
        // 802.1ad (S-tag) IDs have their own field; they are the outer tags.
        let vlans = (values("ieee8021ad.id") + values("vlan.id")).compactMap(UInt16.init)
        check(Int(decoded.vlanCount) == vlans.count, "VLAN count \(decoded.vlanCount), tshark \(vlans)")
        for (index, id) in vlans.prefix(DecodedPacket.maxVLANs).enumerated() {
            check(decoded.vlanID(at: index) == id, "VLAN \(index) is \(decoded.vlanID(at: index)), tshark \(id)")
        }
        let labels = values("mpls.label").compactMap(UInt32.init)
        check(Int(decoded.mplsCount) == labels.count, "MPLS count \(decoded.mplsCount), tshark \(labels)")
        for (index, label) in labels.prefix(DecodedPacket.maxMPLSLabels).enumerated() {
            check(decoded.mplsLabel(at: index) == label, "MPLS label \(index) is \(decoded.mplsLabel(at: index)), tshark \(label)")
        }
        guard let networkIndex else {
            check(decoded.network == .none, "decoded \(decoded.network), tshark \(layers.joined(separator: ":"))")
            return problems
        }
        if layers[networkIndex] == "ip" {
            check(decoded.network == .ipv4, "decoded \(decoded.network), tshark IPv4")
            check(decoded.source.description == first("ip.src") && decoded.destination.description == first("ip.dst"),
                  "addresses \(decoded.source) > \(decoded.destination), tshark \(row["ip.src"] ?? "") > \(row["ip.dst"] ?? "")")
            check(Int(decoded.ipProtocol) == number("ip.proto"), "protocol \(decoded.ipProtocol), tshark \(row["ip.proto"] ?? "")")
            let fragmentOffset = number("ip.frag_offset") ?? 0
            check(decoded.isFragment == (first("ip.flags.mf") == "1" || fragmentOffset != 0),
                  "isFragment \(decoded.isFragment), tshark MF \(row["ip.flags.mf"] ?? "") offset \(fragmentOffset)")
            check(decoded.isLaterFragment == (fragmentOffset != 0), "isLaterFragment \(decoded.isLaterFragment)")
        } else {
            check(decoded.network == .ipv6, "decoded \(decoded.network), tshark IPv6")
            check(decoded.source.description == first("ipv6.src") && decoded.destination.description == first("ipv6.dst"),
                  "addresses \(decoded.source) > \(decoded.destination), tshark \(row["ipv6.src"] ?? "") > \(row["ipv6.dst"] ?? "")")
            check(Int(decoded.firstNextHeader) == number("ipv6.nxt"), "next header \(decoded.firstNextHeader), tshark \(row["ipv6.nxt"] ?? "")")
            let fragmentOffset = number("ipv6.fraghdr.offset")
            check(decoded.isFragment == (fragmentOffset != nil), "isFragment \(decoded.isFragment)")
            check(decoded.isLaterFragment == ((fragmentOffset ?? 0) != 0), "isLaterFragment \(decoded.isLaterFragment)")
        }
        let transport = layers[(networkIndex + 1)...].first { !Self.extensionHeaders.contains($0) }
        let capturedWhole = row["frame.len"] == row["frame.cap_len"]
        switch transport {
        case "tcp":
            check(decoded.ipProtocol == 6 && decoded.hasPorts, "no TCP ports decoded")
            check(Int(decoded.sourcePort) == number("tcp.srcport") && Int(decoded.destinationPort) == number("tcp.dstport"),
                  "ports \(decoded.sourcePort) > \(decoded.destinationPort), tshark \(row["tcp.srcport"] ?? "") > \(row["tcp.dstport"] ?? "")")
            // tcp.flags is absent when tshark finds the header length bogus; the decoder then gives no payload.
            if let flags = number("tcp.flags") {
                check(Int(decoded.tcpFlags) == flags & 0xFF, "TCP flags \(decoded.tcpFlags), tshark \(flags)")
            }
            if capturedWhole, number("tcp.flags") != nil, let length = number("tcp.len") {
                check(Int(decoded.networkEnd) - Int(decoded.payloadOffset) == length,
                      "payload \(decoded.payloadOffset)..<\(decoded.networkEnd), tshark tcp.len \(length)")
            }
        case "udp":
            check(decoded.ipProtocol == 17 && decoded.hasPorts, "no UDP ports decoded")
            check(Int(decoded.sourcePort) == number("udp.srcport") && Int(decoded.destinationPort) == number("udp.dstport"),
                  "ports \(decoded.sourcePort) > \(decoded.destinationPort), tshark \(row["udp.srcport"] ?? "") > \(row["udp.dstport"] ?? "")")
        case "sctp":
            check(decoded.ipProtocol == 132 && decoded.hasPorts, "no SCTP ports decoded")
            check(Int(decoded.sourcePort) == number("sctp.srcport") && Int(decoded.destinationPort) == number("sctp.dstport"),
                  "ports \(decoded.sourcePort) > \(decoded.destinationPort), tshark \(row["sctp.srcport"] ?? "") > \(row["sctp.dstport"] ?? "")")
        case "icmp", "icmpv6":
            let prefix = transport ?? ""
            check(decoded.ipProtocol == (prefix == "icmp" ? 1 : 58) && decoded.hasICMP, "no ICMP decoded")
            check(Int(decoded.icmpType) == number(prefix + ".type") && Int(decoded.icmpCode) == number(prefix + ".code"),
                  "ICMP \(decoded.icmpType)/\(decoded.icmpCode), tshark \(row[prefix + ".type"] ?? "")/\(row[prefix + ".code"] ?? "")")
        default:
            check(!decoded.hasPorts && !decoded.hasICMP, "transport decoded where tshark found \(transport ?? "nothing")")
        }
        return problems
    }
}
