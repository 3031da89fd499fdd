import Testing
import TapedeckCore

@Suite("Decoder: hand-built packets")
struct DecoderSampleTests {
    @Test("each encapsulation and header variant decodes as expected", arguments: SamplePackets.all)
    func decodes(_ sample: SamplePacket) {
        #expect(decode(sample.bytes, sample.linkType) == sample.expected)
    }

    @Test("every prefix of a packet decodes what fits and marks the rest truncated", arguments: SamplePackets.all)
    func truncatedPrefixes(_ sample: SamplePacket) {
        let full = decode(sample.bytes, sample.linkType)
        for length in 0..<sample.bytes.count {
            let prefix = decode(Array(sample.bytes[..<length]), sample.linkType)
            if let violation = invariantViolation(prefix, capturedLength: length) {
                Issue.record("length \(length): \(violation)")
            }
            #expect(prefix.vlanCount <= full.vlanCount && prefix.mplsCount <= full.mplsCount, "length \(length)")
            for index in 0..<Int(min(prefix.vlanCount, 4)) {
                #expect(prefix.vlanID(at: index) == full.vlanID(at: index), "length \(length)")
            }
            for index in 0..<Int(min(prefix.mplsCount, 4)) {
                #expect(prefix.mplsLabel(at: index) == full.mplsLabel(at: index), "length \(length)")
            }
            if prefix.network != .none {
                #expect(prefix.network == full.network && prefix.source == full.source
                            && prefix.destination == full.destination && prefix.networkOffset == full.networkOffset
                            && prefix.firstNextHeader == full.firstNextHeader
                            && prefix.networkEnd == min(full.networkEnd, UInt32(length)),
                        "length \(length)")
            }
            if full.network != .none {
                let fixedHeader = full.network == .ipv4 ? 20 : 40
                let fits = length >= Int(full.networkOffset) + fixedHeader
                #expect((prefix.network != .none) == fits, "length \(length): the fixed IP header fits: \(fits)")
                #expect(fits || prefix.isTruncated, "length \(length): a cut IP header is marked truncated")
            }
            if prefix.hasPorts {
                #expect(prefix.sourcePort == full.sourcePort && prefix.destinationPort == full.destinationPort, "length \(length)")
            }
            if full.hasPorts {
                if length >= Int(full.payloadOffset) {
                    #expect(prefix.hasPorts && prefix.payloadOffset == full.payloadOffset, "length \(length)")
                } else {
                    #expect(prefix.isTruncated, "length \(length): a cut transport header is marked truncated")
                }
            }
            if prefix.hasICMP {
                #expect(prefix.icmpType == full.icmpType && prefix.icmpCode == full.icmpCode, "length \(length)")
            }
        }
    }

    @Test("the 5-tuple comes from the decoded headers")
    func fiveTuple() throws {
        let tcp = try #require(decode(SamplePackets.ethernet[0].bytes, .ethernet).fiveTuple)
        #expect(tcp == FiveTuple(ipProtocol: 6, source: IPAddress("192.0.2.1")!, destination: IPAddress("198.51.100.2")!,
                                 sourcePort: 40000, destinationPort: 443))
        let icmp = try #require(decode(SamplePackets.raw[2].bytes, .ipv4).fiveTuple)
        #expect(icmp.ipProtocol == 1 && icmp.sourcePort == 0 && icmp.destinationPort == 0)
        #expect(decode(Build.ethernet(0x0806) + [UInt8](repeating: 0, count: 28), .ethernet).fiveTuple == nil)
    }

    @Test("the transport payload is payloadOffset..<networkEnd, without Ethernet padding")
    func payloadRange() {
        let sample = SamplePackets.ethernet[0]
        let packet = decode(sample.bytes, sample.linkType)
        #expect(Array(sample.bytes[Int(packet.payloadOffset)..<Int(packet.networkEnd)]) == samplePayload)
        let padded = SamplePackets.ethernet[1]
        let bare = decode(padded.bytes, padded.linkType)
        #expect(bare.payloadOffset == 54 && bare.networkEnd == 54 && padded.bytes.count == 60)
    }

    @Test("VLAN and MPLS counts saturate at 255 while the first four are kept")
    func manyTags() {
        var vlanFrame = Build.ethernet(0x8100)
        for id in 1...300 { vlanFrame += Build.vlanTag(UInt16(id % 4096), then: id == 300 ? 0x0800 : 0x8100) }
        vlanFrame += SamplePackets.ipv4(6, SamplePackets.tcpSyn)
        let vlans = decode(vlanFrame, .ethernet)
        #expect(vlans.vlanCount == 255 && vlans.vlanIDs == (1, 2, 3, 4))
        #expect(vlans.network == .ipv4 && vlans.networkOffset == UInt16(14 + 300 * 4) && vlans.hasPorts)

        var mplsFrame = Build.ethernet(0x8847)
        for label in 1...300 { mplsFrame += Build.mpls(UInt32(label), bottom: label == 300) }
        mplsFrame += SamplePackets.ipv6(17, SamplePackets.udpDNS)
        let labels = decode(mplsFrame, .ethernet)
        #expect(labels.mplsCount == 255 && labels.mplsLabels == (1, 2, 3, 4))
        #expect(labels.network == .ipv6 && labels.hasPorts && labels.destinationPort == 53)
    }

    @Test("headers are looked for only in the first 65535 bytes; networkEnd covers larger packets")
    func largePackets() {
        // A GRO-sized TCP segment with IP total length 0 and 100 000 captured bytes.
        let segment = Build.tcp(1, 2, flags: 0x10) + [UInt8](repeating: 0xAB, count: 100_000 - 14 - 20 - 20)
        let frame = Build.ethernet(0x0800) + Build.ipv4("10.0.0.1", "10.0.0.2", proto: 6, payloadLength: 0, totalLength: 0) + segment
        let packet = decode(frame, .ethernet)
        #expect(packet.hasPorts && packet.payloadOffset == 54 && packet.networkEnd == 100_000 && !packet.isTruncated)

        // 17 000 VLAN tags put the IP header past 65535 bytes: not decoded, marked truncated.
        var deep = Build.ethernet(0x8100)
        for _ in 0..<17_000 { deep += Build.vlanTag(1, then: 0x8100) }
        let tagged = decode(deep + Build.vlanTag(1, then: 0x0800) + SamplePackets.ipv4(6, SamplePackets.tcpSyn), .ethernet)
        #expect(tagged.network == .none && tagged.isTruncated && tagged.vlanCount == 255)
    }
}
