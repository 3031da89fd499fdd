// A catalogue of hand-built packets, one per encapsulation and header variant, each with the
// decoding it must produce. The well-formed ones are also written to a pcapng fixture that tshark
// decoded once (see Tests/Fixtures/README.md), so their expectations are checked against tshark too.

import Testing
import TapedeckCore

/// A hand-built packet and the decoding it must produce.
struct SamplePacket: Sendable, CustomTestStringConvertible {
    var name: String
    var linkType: LinkType
    var bytes: [UInt8]
    var expected: DecodedPacket

    var testDescription: String { name }
}

extension DecodedPacket {
    /// Sets what an IPv4 header at `offset` yields.
    mutating func expectIPv4(_ source: String, _ destination: String, proto: UInt8, offset: Int, end: Int) {
        network = .ipv4
        self.source = IPAddress(source)!
        self.destination = IPAddress(destination)!
        hasIPProtocol = true
        ipProtocol = proto
        firstNextHeader = proto
        networkOffset = UInt16(offset)
        networkEnd = UInt32(end)
    }

    /// Sets what an IPv6 header at `offset` yields.
    mutating func expectIPv6(_ source: String, _ destination: String, firstNextHeader first: UInt8, proto: UInt8,
                             offset: Int, end: Int) {
        network = .ipv6
        self.source = IPAddress(source)!
        self.destination = IPAddress(destination)!
        hasIPProtocol = true
        ipProtocol = proto
        firstNextHeader = first
        networkOffset = UInt16(offset)
        networkEnd = UInt32(end)
    }

    /// Sets transport ports and the payload offset.
    mutating func expectPorts(_ sourcePort: UInt16, _ destinationPort: UInt16, payloadOffset: Int) {
        hasPorts = true
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.payloadOffset = UInt16(payloadOffset)
    }

    /// Sets ICMP type and code.
    mutating func expectICMP(type: UInt8, code: UInt8) {
        hasICMP = true
        icmpType = type
        icmpCode = code
    }
}

/// Builds an expected decoding.
func expect(_ configure: (inout DecodedPacket) -> Void) -> DecodedPacket {
    var packet = DecodedPacket()
    configure(&packet)
    return packet
}

enum SamplePackets {
    static let v4a = "192.0.2.1", v4b = "198.51.100.2"
    static let v6a = "2001:db8::1", v6b = "2001:db8:1::2"

    // Reusable transport segments.
    static let tcpWithOptions = Build.tcp(40000, 443, flags: 0x18, options: [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2],
                                          payload: samplePayload)  // header 32
    static let tcpSyn = Build.tcp(51000, 80, flags: 0x02)  // header 20
    static let udpDNS = Build.udp(5353, 53, payload: samplePayload)  // header 8
    static let icmpEcho = Build.icmp(type: 8, code: 0, payload: samplePayload)
    static let icmpv6Echo = Build.icmp(type: 128, code: 0, payload: samplePayload)

    /// IPv4 + `transport`.
    static func ipv4(_ proto: UInt8, _ transport: [UInt8], fragment: UInt16 = 0) -> [UInt8] {
        Build.ipv4(v4a, v4b, proto: proto, payloadLength: transport.count, fragment: fragment) + transport
    }

    /// IPv6 + `transport`.
    static func ipv6(_ next: UInt8, _ transport: [UInt8]) -> [UInt8] {
        Build.ipv6(v6a, v6b, next: next, payloadLength: transport.count) + transport
    }

    /// Packets that tshark decodes without complaint.
    static let wellFormed: [SamplePacket] = ethernet + tags + tunnels + cooked + loopback + raw + ipv4Variants + ipv6Variants
        + transports

    /// Packets with bogus or inconsistent headers.
    static let malformed: [SamplePacket] = bogus

    /// Packets whose inner layers tshark dissects but this decoder deliberately does not.
    static let beyondDecoder: [SamplePacket] = [
        // 802.3 with a length field (36) and LLC/SNAP carrying IPv4: treated as carrying no IP.
        SamplePacket(name: "ethernet-8023-llc-snap-ipv4", linkType: .ethernet,
                     bytes: Build.ethernet(36) + [0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00] + ipv4(17, Build.udp(1, 2)),
                     expected: expect { _ in }),
    ]

    static let all = wellFormed + malformed + beyondDecoder

    static let ethernet: [SamplePacket] = [
        SamplePacket(name: "ethernet-ipv4-tcp", linkType: .ethernet,
                     bytes: Build.ethernet(0x0800) + ipv4(6, tcpWithOptions),
                     expected: expect {
                         $0.etherType = 0x0800
                         $0.expectIPv4(v4a, v4b, proto: 6, offset: 14, end: 14 + 20 + 46)
                         $0.expectPorts(40000, 443, payloadOffset: 14 + 20 + 32)
                         $0.tcpFlags = 0x18
                     }),
        // A bare SYN is 54 bytes; Ethernet pads it to 60, which is not payload.
        SamplePacket(name: "ethernet-ipv4-tcp-padded", linkType: .ethernet,
                     bytes: Build.ethernet(0x0800) + ipv4(6, tcpSyn) + [UInt8](repeating: 0, count: 6),
                     expected: expect {
                         $0.etherType = 0x0800
                         $0.expectIPv4(v4a, v4b, proto: 6, offset: 14, end: 54)
                         $0.expectPorts(51000, 80, payloadOffset: 54)
                         $0.tcpFlags = 0x02
                     }),
        SamplePacket(name: "ethernet-ipv6-udp", linkType: .ethernet,
                     bytes: Build.ethernet(0x86DD) + ipv6(17, udpDNS),
                     expected: expect {
                         $0.etherType = 0x86DD
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 17, proto: 17, offset: 14, end: 14 + 40 + 22)
                         $0.expectPorts(5353, 53, payloadOffset: 14 + 40 + 8)
                     }),
        SamplePacket(name: "ethernet-arp", linkType: .ethernet,
                     bytes: Build.ethernet(0x0806) + [0, 1, 8, 0, 6, 4, 0, 1] + [UInt8](repeating: 7, count: 20),
                     expected: expect { $0.etherType = 0x0806 }),
    ]

    static let tags: [SamplePacket] = [
        SamplePacket(name: "vlan-ipv4-udp", linkType: .ethernet,
                     bytes: Build.ethernet(0x8100) + Build.vlanTag(100, then: 0x0800) + ipv4(17, udpDNS),
                     expected: expect {
                         $0.vlanIDs.0 = 100
                         $0.vlanCount = 1
                         $0.etherType = 0x0800
                         $0.expectIPv4(v4a, v4b, proto: 17, offset: 18, end: 18 + 20 + 22)
                         $0.expectPorts(5353, 53, payloadOffset: 18 + 28)
                     }),
        SamplePacket(name: "qinq-88a8-ipv6-tcp", linkType: .ethernet,
                     bytes: Build.ethernet(0x88A8) + Build.vlanTag(10, then: 0x8100) + Build.vlanTag(20, then: 0x86DD)
                         + ipv6(6, tcpSyn),
                     expected: expect {
                         $0.vlanIDs.0 = 10
                         $0.vlanIDs.1 = 20
                         $0.vlanCount = 2
                         $0.etherType = 0x86DD
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 6, proto: 6, offset: 22, end: 22 + 60)
                         $0.expectPorts(51000, 80, payloadOffset: 82)
                         $0.tcpFlags = 0x02
                     }),
        SamplePacket(name: "qinq-9100-ipv4-tcp", linkType: .ethernet,
                     bytes: Build.ethernet(0x9100) + Build.vlanTag(30, then: 0x8100) + Build.vlanTag(4094, then: 0x0800)
                         + ipv4(6, tcpSyn),
                     expected: expect {
                         $0.vlanIDs.0 = 30
                         $0.vlanIDs.1 = 4094
                         $0.vlanCount = 2
                         $0.etherType = 0x0800
                         $0.expectIPv4(v4a, v4b, proto: 6, offset: 22, end: 62)
                         $0.expectPorts(51000, 80, payloadOffset: 62)
                         $0.tcpFlags = 0x02
                     }),
        SamplePacket(name: "six-vlan-tags-ipv4-icmp", linkType: .ethernet,
                     bytes: Build.ethernet(0x8100) + Build.vlanTag(1, then: 0x8100) + Build.vlanTag(2, then: 0x8100)
                         + Build.vlanTag(3, then: 0x8100) + Build.vlanTag(4, then: 0x8100) + Build.vlanTag(5, then: 0x8100)
                         + Build.vlanTag(6, then: 0x0800) + ipv4(1, icmpEcho),
                     expected: expect {
                         $0.vlanIDs = (1, 2, 3, 4)
                         $0.vlanCount = 6
                         $0.etherType = 0x0800
                         $0.expectIPv4(v4a, v4b, proto: 1, offset: 38, end: 38 + 20 + 22)
                         $0.expectICMP(type: 8, code: 0)
                     }),
        SamplePacket(name: "vlan-arp", linkType: .ethernet,
                     bytes: Build.ethernet(0x8100) + Build.vlanTag(5, then: 0x0806) + [0, 1, 8, 0, 6, 4, 0, 1]
                         + [UInt8](repeating: 7, count: 20),
                     expected: expect {
                         $0.vlanIDs.0 = 5
                         $0.vlanCount = 1
                         $0.etherType = 0x0806
                     }),
    ]

    static let tunnels: [SamplePacket] = [
        SamplePacket(name: "mpls-ipv4-tcp", linkType: .ethernet,
                     bytes: Build.ethernet(0x8847) + Build.mpls(1000, bottom: true) + ipv4(6, tcpSyn),
                     expected: expect {
                         $0.mplsLabels.0 = 1000
                         $0.mplsCount = 1
                         $0.etherType = 0x8847
                         $0.expectIPv4(v4a, v4b, proto: 6, offset: 18, end: 58)
                         $0.expectPorts(51000, 80, payloadOffset: 58)
                         $0.tcpFlags = 0x02
                     }),
        SamplePacket(name: "mpls-five-labels-ipv6-udp", linkType: .ethernet,
                     bytes: Build.ethernet(0x8848) + Build.mpls(16, bottom: false) + Build.mpls(17, bottom: false)
                         + Build.mpls(18, bottom: false) + Build.mpls(19, bottom: false) + Build.mpls(1_048_575, bottom: true)
                         + ipv6(17, udpDNS),
                     expected: expect {
                         $0.mplsLabels = (16, 17, 18, 19)
                         $0.mplsCount = 5
                         $0.etherType = 0x8848
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 17, proto: 17, offset: 34, end: 34 + 62)
                         $0.expectPorts(5353, 53, payloadOffset: 34 + 48)
                     }),
        SamplePacket(name: "vlan-mpls-ipv4-udp", linkType: .ethernet,
                     bytes: Build.ethernet(0x8100) + Build.vlanTag(7, then: 0x8847) + Build.mpls(99, bottom: true)
                         + ipv4(17, udpDNS),
                     expected: expect {
                         $0.vlanIDs.0 = 7
                         $0.vlanCount = 1
                         $0.mplsLabels.0 = 99
                         $0.mplsCount = 1
                         $0.etherType = 0x8847
                         $0.expectIPv4(v4a, v4b, proto: 17, offset: 22, end: 22 + 42)
                         $0.expectPorts(5353, 53, payloadOffset: 22 + 28)
                     }),
        // A pseudowire control word (first nibble 0) after the label stack: not decoded.
        SamplePacket(name: "mpls-pseudowire", linkType: .ethernet,
                     bytes: Build.ethernet(0x8847) + Build.mpls(200, bottom: true) + [0, 0, 0, 0] + Build.ethernet(0x0800)
                         + ipv4(6, tcpSyn),
                     expected: expect {
                         $0.mplsLabels.0 = 200
                         $0.mplsCount = 1
                         $0.etherType = 0x8847
                     }),
        SamplePacket(name: "pppoe-ipv4-tcp", linkType: .ethernet,
                     bytes: Build.ethernet(0x8864) + Build.pppoeSession(protocol: 0x0021, payloadLength: 40) + ipv4(6, tcpSyn),
                     expected: expect {
                         $0.etherType = 0x8864
                         $0.expectIPv4(v4a, v4b, proto: 6, offset: 22, end: 62)
                         $0.expectPorts(51000, 80, payloadOffset: 62)
                         $0.tcpFlags = 0x02
                     }),
        SamplePacket(name: "pppoe-ipv6-udp", linkType: .ethernet,
                     bytes: Build.ethernet(0x8864) + Build.pppoeSession(protocol: 0x0057, payloadLength: 62) + ipv6(17, udpDNS),
                     expected: expect {
                         $0.etherType = 0x8864
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 17, proto: 17, offset: 22, end: 22 + 62)
                         $0.expectPorts(5353, 53, payloadOffset: 22 + 48)
                     }),
        SamplePacket(name: "pppoe-lcp", linkType: .ethernet,
                     bytes: Build.ethernet(0x8864) + Build.pppoeSession(protocol: 0xC021, payloadLength: 8)
                         + [9, 1, 0, 8, 0, 0, 0, 1],
                     expected: expect { $0.etherType = 0x8864 }),
    ]

    static let cooked: [SamplePacket] = [
        SamplePacket(name: "sll-ipv4-tcp", linkType: .linuxSLL,
                     bytes: Build.linuxSLL(0x0800) + ipv4(6, tcpWithOptions),
                     expected: expect {
                         $0.etherType = 0x0800
                         $0.expectIPv4(v4a, v4b, proto: 6, offset: 16, end: 16 + 66)
                         $0.expectPorts(40000, 443, payloadOffset: 16 + 52)
                         $0.tcpFlags = 0x18
                     }),
        SamplePacket(name: "sll-vlan-ipv6-udp", linkType: .linuxSLL,
                     bytes: Build.linuxSLL(0x8100) + Build.vlanTag(12, then: 0x86DD) + ipv6(17, udpDNS),
                     expected: expect {
                         $0.vlanIDs.0 = 12
                         $0.vlanCount = 1
                         $0.etherType = 0x86DD
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 17, proto: 17, offset: 20, end: 20 + 62)
                         $0.expectPorts(5353, 53, payloadOffset: 20 + 48)
                     }),
        // LINUX_SLL_P_802_2: an LLC frame, no IP.
        SamplePacket(name: "sll-llc", linkType: .linuxSLL,
                     bytes: Build.linuxSLL(0x0004) + [0x42, 0x42, 0x03] + [UInt8](repeating: 0, count: 35),
                     expected: expect { $0.etherType = 0x0004 }),
        SamplePacket(name: "sll2-ipv6-udp", linkType: .linuxSLL2,
                     bytes: Build.linuxSLL2(0x86DD) + ipv6(17, udpDNS),
                     expected: expect {
                         $0.etherType = 0x86DD
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 17, proto: 17, offset: 20, end: 20 + 62)
                         $0.expectPorts(5353, 53, payloadOffset: 20 + 48)
                     }),
        SamplePacket(name: "sll2-ipv4-icmp", linkType: .linuxSLL2,
                     bytes: Build.linuxSLL2(0x0800) + ipv4(1, Build.icmp(type: 3, code: 3, payload: ipv4(17, udpDNS))),
                     expected: expect {
                         $0.etherType = 0x0800
                         $0.expectIPv4(v4a, v4b, proto: 1, offset: 20, end: 20 + 20 + 8 + 42)
                         $0.expectICMP(type: 3, code: 3)
                     }),
    ]

    static let loopback: [SamplePacket] = [
        SamplePacket(name: "null-little-endian-ipv4-tcp", linkType: .null,
                     bytes: Build.null(2, bigEndian: false) + ipv4(6, tcpSyn),
                     expected: expect {
                         $0.expectIPv4(v4a, v4b, proto: 6, offset: 4, end: 44)
                         $0.expectPorts(51000, 80, payloadOffset: 44)
                         $0.tcpFlags = 0x02
                     }),
        SamplePacket(name: "null-big-endian-ipv4-udp", linkType: .null,
                     bytes: Build.null(2, bigEndian: true) + ipv4(17, udpDNS),
                     expected: expect {
                         $0.expectIPv4(v4a, v4b, proto: 17, offset: 4, end: 4 + 42)
                         $0.expectPorts(5353, 53, payloadOffset: 4 + 28)
                     }),
        SamplePacket(name: "null-little-endian-ipv6-24", linkType: .null,
                     bytes: Build.null(24, bigEndian: false) + ipv6(6, tcpSyn),
                     expected: expect {
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 6, proto: 6, offset: 4, end: 64)
                         $0.expectPorts(51000, 80, payloadOffset: 64)
                         $0.tcpFlags = 0x02
                     }),
        SamplePacket(name: "null-little-endian-ipv6-28", linkType: .null,
                     bytes: Build.null(28, bigEndian: false) + ipv6(58, icmpv6Echo),
                     expected: expect {
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 58, proto: 58, offset: 4, end: 4 + 62)
                         $0.expectICMP(type: 128, code: 0)
                     }),
        SamplePacket(name: "null-big-endian-ipv6-30", linkType: .null,
                     bytes: Build.null(30, bigEndian: true) + ipv6(17, udpDNS),
                     expected: expect {
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 17, proto: 17, offset: 4, end: 4 + 62)
                         $0.expectPorts(5353, 53, payloadOffset: 4 + 48)
                     }),
        SamplePacket(name: "null-unknown-family", linkType: .null,
                     bytes: Build.null(7, bigEndian: false) + ipv4(6, tcpSyn),
                     expected: expect { _ in }),
        SamplePacket(name: "loop-ipv4-tcp", linkType: .loop,
                     bytes: Build.null(2, bigEndian: true) + ipv4(6, tcpSyn),
                     expected: expect {
                         $0.expectIPv4(v4a, v4b, proto: 6, offset: 4, end: 44)
                         $0.expectPorts(51000, 80, payloadOffset: 44)
                         $0.tcpFlags = 0x02
                     }),
        SamplePacket(name: "loop-ipv6-udp", linkType: .loop,
                     bytes: Build.null(24, bigEndian: true) + ipv6(17, udpDNS),
                     expected: expect {
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 17, proto: 17, offset: 4, end: 4 + 62)
                         $0.expectPorts(5353, 53, payloadOffset: 4 + 48)
                     }),
    ]

    static let raw: [SamplePacket] = [
        SamplePacket(name: "raw-ipv4-udp", linkType: .raw, bytes: ipv4(17, udpDNS),
                     expected: expect {
                         $0.expectIPv4(v4a, v4b, proto: 17, offset: 0, end: 42)
                         $0.expectPorts(5353, 53, payloadOffset: 28)
                     }),
        SamplePacket(name: "raw-ipv6-tcp", linkType: .raw, bytes: ipv6(6, tcpWithOptions),
                     expected: expect {
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 6, proto: 6, offset: 0, end: 86)
                         $0.expectPorts(40000, 443, payloadOffset: 72)
                         $0.tcpFlags = 0x18
                     }),
        SamplePacket(name: "linktype-ipv4-icmp", linkType: .ipv4, bytes: ipv4(1, icmpEcho),
                     expected: expect {
                         $0.expectIPv4(v4a, v4b, proto: 1, offset: 0, end: 42)
                         $0.expectICMP(type: 8, code: 0)
                     }),
        SamplePacket(name: "linktype-ipv6-udp", linkType: .ipv6, bytes: ipv6(17, udpDNS),
                     expected: expect {
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 17, proto: 17, offset: 0, end: 62)
                         $0.expectPorts(5353, 53, payloadOffset: 48)
                     }),
    ]

    static let ipv4Variants: [SamplePacket] = [
        // IHL 7: a NOP, a NOP, a 4-byte router-alert option, then 4 bytes of end-of-list.
        SamplePacket(name: "ipv4-options-tcp", linkType: .ethernet,
                     bytes: Build.ethernet(0x0800)
                         + Build.ipv4(v4a, v4b, proto: 6, payloadLength: 20, options: [1, 1, 148, 4, 0, 0, 0, 0])
                         + tcpSyn,
                     expected: expect {
                         $0.etherType = 0x0800
                         $0.expectIPv4(v4a, v4b, proto: 6, offset: 14, end: 14 + 28 + 20)
                         $0.expectPorts(51000, 80, payloadOffset: 62)
                         $0.tcpFlags = 0x02
                     }),
        SamplePacket(name: "ipv4-first-fragment-udp", linkType: .ethernet,
                     bytes: Build.ethernet(0x0800) + ipv4(17, udpDNS, fragment: 0x2000),
                     expected: expect {
                         $0.etherType = 0x0800
                         $0.expectIPv4(v4a, v4b, proto: 17, offset: 14, end: 56)
                         $0.expectPorts(5353, 53, payloadOffset: 14 + 28)
                         $0.isFragment = true
                     }),
        SamplePacket(name: "ipv4-middle-fragment", linkType: .ethernet,
                     bytes: Build.ethernet(0x0800) + ipv4(17, samplePayload + [0, 0], fragment: 0x2000 | 185),
                     expected: expect {
                         $0.etherType = 0x0800
                         $0.expectIPv4(v4a, v4b, proto: 17, offset: 14, end: 14 + 20 + 16)
                         $0.isFragment = true
                         $0.isLaterFragment = true
                     }),
        SamplePacket(name: "ipv4-last-fragment", linkType: .ethernet,
                     bytes: Build.ethernet(0x0800) + ipv4(6, samplePayload, fragment: 370),
                     expected: expect {
                         $0.etherType = 0x0800
                         $0.expectIPv4(v4a, v4b, proto: 6, offset: 14, end: 14 + 20 + 14)
                         $0.isFragment = true
                         $0.isLaterFragment = true
                     }),
        // Total length 0, as in captures of TCP segmentation offload: up to the captured end.
        SamplePacket(name: "ipv4-tso-zero-length", linkType: .ethernet,
                     bytes: Build.ethernet(0x0800) + Build.ipv4(v4a, v4b, proto: 6, payloadLength: 0, totalLength: 0)
                         + tcpWithOptions,
                     expected: expect {
                         $0.etherType = 0x0800
                         $0.expectIPv4(v4a, v4b, proto: 6, offset: 14, end: 80)
                         $0.expectPorts(40000, 443, payloadOffset: 66)
                         $0.tcpFlags = 0x18
                     }),
        SamplePacket(name: "ipv4-gre", linkType: .ethernet,
                     bytes: Build.ethernet(0x0800) + ipv4(47, [0, 0, 0x08, 0x00] + ipv4(6, tcpSyn)),
                     expected: expect {
                         $0.etherType = 0x0800
                         $0.expectIPv4(v4a, v4b, proto: 47, offset: 14, end: 14 + 20 + 44)
                     }),
        SamplePacket(name: "ipv4-in-ipv6", linkType: .raw, bytes: ipv6(4, ipv4(17, udpDNS)),
                     expected: expect {
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 4, proto: 4, offset: 0, end: 40 + 42)
                     }),
    ]

    static let ipv6Variants: [SamplePacket] = [
        SamplePacket(name: "ipv6-hop-by-hop-fragment-udp", linkType: .ethernet,
                     bytes: Build.ethernet(0x86DD)
                         + ipv6(0, Build.ipv6Options(next: 44) + Build.ipv6Fragment(next: 17, offset: 0, more: true) + udpDNS),
                     expected: expect {
                         $0.etherType = 0x86DD
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 0, proto: 17, offset: 14, end: 14 + 40 + 16 + 22)
                         $0.expectPorts(5353, 53, payloadOffset: 14 + 40 + 16 + 8)
                         $0.isFragment = true
                     }),
        SamplePacket(name: "ipv6-later-fragment", linkType: .ethernet,
                     bytes: Build.ethernet(0x86DD) + ipv6(44, Build.ipv6Fragment(next: 6, offset: 100, more: false) + samplePayload),
                     expected: expect {
                         $0.etherType = 0x86DD
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 44, proto: 6, offset: 14, end: 14 + 40 + 8 + 14)
                         $0.isFragment = true
                         $0.isLaterFragment = true
                     }),
        SamplePacket(name: "ipv6-routing-destination-options-tcp", linkType: .raw,
                     bytes: ipv6(43, Build.ipv6Routing(next: 60) + Build.ipv6Options(next: 6) + tcpSyn),
                     expected: expect {
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 43, proto: 6, offset: 0, end: 40 + 24 + 8 + 20)
                         $0.expectPorts(51000, 80, payloadOffset: 92)
                         $0.tcpFlags = 0x02
                     }),
        SamplePacket(name: "ipv6-authentication-header-tcp", linkType: .raw,
                     bytes: ipv6(51, Build.authenticationHeader(next: 6) + tcpSyn),
                     expected: expect {
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 51, proto: 6, offset: 0, end: 40 + 16 + 20)
                         $0.expectPorts(51000, 80, payloadOffset: 76)
                         $0.tcpFlags = 0x02
                     }),
        SamplePacket(name: "ipv6-esp", linkType: .raw,
                     bytes: ipv6(50, Build.bigEndian32(0x100) + Build.bigEndian32(1) + samplePayload + [0, 0]),
                     expected: expect {
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 50, proto: 50, offset: 0, end: 40 + 24)
                     }),
        SamplePacket(name: "ipv6-destination-options-no-next-header", linkType: .raw,
                     bytes: ipv6(60, Build.ipv6Options(next: 59)),
                     expected: expect {
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 60, proto: 59, offset: 0, end: 48)
                     }),
        // A mobility binding refresh request (type 0): length 1 → 16 bytes, then No Next Header.
        SamplePacket(name: "ipv6-mobility", linkType: .raw,
                     bytes: ipv6(135, [59, 1, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0, 0, 0, 0]),
                     expected: expect {
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 135, proto: 59, offset: 0, end: 56)
                     }),
        // MLD listener report behind a hop-by-hop router-alert option.
        SamplePacket(name: "ipv6-hop-by-hop-icmpv6-mld", linkType: .ethernet,
                     bytes: Build.ethernet(0x86DD)
                         + ipv6(0, [58, 0, 5, 2, 0, 0, 1, 0] + Build.icmp(type: 143, code: 0, payload: [UInt8](repeating: 0, count: 20))),
                     expected: expect {
                         $0.etherType = 0x86DD
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 0, proto: 58, offset: 14, end: 14 + 40 + 8 + 28)
                         $0.expectICMP(type: 143, code: 0)
                     }),
    ]

    static let transports: [SamplePacket] = [
        SamplePacket(name: "ipv4-sctp", linkType: .ethernet,
                     bytes: Build.ethernet(0x0800) + ipv4(132, Build.sctp(2905, 2906)),
                     expected: expect {
                         $0.etherType = 0x0800
                         $0.expectIPv4(v4a, v4b, proto: 132, offset: 14, end: 14 + 20 + 16)
                         $0.expectPorts(2905, 2906, payloadOffset: 14 + 20 + 12)
                     }),
        SamplePacket(name: "ipv6-sctp", linkType: .raw, bytes: ipv6(132, Build.sctp(36412, 36412)),
                     expected: expect {
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 132, proto: 132, offset: 0, end: 56)
                         $0.expectPorts(36412, 36412, payloadOffset: 52)
                     }),
        SamplePacket(name: "ipv6-icmpv6-echo", linkType: .ethernet,
                     bytes: Build.ethernet(0x86DD) + ipv6(58, icmpv6Echo),
                     expected: expect {
                         $0.etherType = 0x86DD
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 58, proto: 58, offset: 14, end: 14 + 40 + 22)
                         $0.expectICMP(type: 128, code: 0)
                     }),
        SamplePacket(name: "ipv4-igmp", linkType: .ethernet,
                     bytes: Build.ethernet(0x0800) + ipv4(2, [0x16, 0, 0, 0, 239, 1, 2, 3]),
                     expected: expect {
                         $0.etherType = 0x0800
                         $0.expectIPv4(v4a, v4b, proto: 2, offset: 14, end: 42)
                     }),
    ]

    static let bogus: [SamplePacket] = [
        // IHL 3 (< 5): the addresses are read, then decoding stops.
        SamplePacket(name: "ipv4-bogus-header-length", linkType: .ethernet,
                     bytes: Build.ethernet(0x0800) + Build.ipv4(v4a, v4b, proto: 6, payloadLength: 20, headerWords: 3) + tcpSyn,
                     expected: expect {
                         $0.etherType = 0x0800
                         $0.expectIPv4(v4a, v4b, proto: 6, offset: 14, end: 54)
                         $0.isTruncated = true
                     }),
        // Total length 16 (< the 20-byte header).
        SamplePacket(name: "ipv4-bogus-total-length", linkType: .ethernet,
                     bytes: Build.ethernet(0x0800) + Build.ipv4(v4a, v4b, proto: 17, payloadLength: 0, totalLength: 16) + udpDNS,
                     expected: expect {
                         $0.etherType = 0x0800
                         $0.expectIPv4(v4a, v4b, proto: 17, offset: 14, end: 30)
                         $0.isTruncated = true
                     }),
        // IHL 15 (60 bytes) but only 20 bytes of header before the packet ends.
        SamplePacket(name: "ipv4-options-past-end", linkType: .raw,
                     bytes: Build.ipv4(v4a, v4b, proto: 6, payloadLength: 0, headerWords: 15),
                     expected: expect {
                         $0.expectIPv4(v4a, v4b, proto: 6, offset: 0, end: 20)
                         $0.isTruncated = true
                     }),
        // TCP data offset 2 (< 5): ports kept, no payload.
        SamplePacket(name: "tcp-bogus-data-offset", linkType: .raw,
                     bytes: {
                         var segment = tcpSyn
                         segment[12] = 0x20
                         return ipv4(6, segment + samplePayload)
                     }(),
                     expected: expect {
                         $0.expectIPv4(v4a, v4b, proto: 6, offset: 0, end: 54)
                         $0.expectPorts(51000, 80, payloadOffset: 54)
                         $0.tcpFlags = 0x02
                         $0.isTruncated = true
                     }),
        // EtherType IPv4 but version nibble 6: not an IPv4 header.
        SamplePacket(name: "ethernet-ipv4-type-wrong-version", linkType: .ethernet,
                     bytes: Build.ethernet(0x0800) + ipv6(17, udpDNS),
                     expected: expect { $0.etherType = 0x0800 }),
        SamplePacket(name: "raw-version-5", linkType: .raw, bytes: [0x50] + [UInt8](repeating: 0, count: 39),
                     expected: expect { _ in }),
        // An IPv6 hop-by-hop header that claims 2048 bytes.
        SamplePacket(name: "ipv6-extension-header-past-end", linkType: .raw,
                     bytes: ipv6(0, [6, 255, 1, 4, 0, 0, 0, 0] + tcpSyn),
                     expected: expect {
                         $0.expectIPv6(v6a, v6b, firstNextHeader: 0, proto: 0, offset: 0, end: 68)
                         $0.isTruncated = true
                     }),
        // A netlink cooked capture: its protocol field is a netlink family, never an EtherType.
        SamplePacket(name: "sll-netlink", linkType: .linuxSLL,
                     bytes: Build.linuxSLL(0x0800, hardwareType: 824) + ipv4(6, tcpSyn),
                     expected: expect { $0.etherType = 0x0800 }),
        SamplePacket(name: "unknown-link-type", linkType: LinkType(rawValue: 147), bytes: ipv4(6, tcpSyn),
                     expected: expect { _ in }),
        SamplePacket(name: "empty", linkType: .ethernet, bytes: [], expected: expect { $0.isTruncated = true }),
        SamplePacket(name: "mpls-stack-without-payload", linkType: .ethernet,
                     bytes: Build.ethernet(0x8847) + Build.mpls(5, bottom: false) + Build.mpls(6, bottom: true),
                     expected: expect {
                         $0.mplsLabels.0 = 5
                         $0.mplsLabels.1 = 6
                         $0.mplsCount = 2
                         $0.etherType = 0x8847
                         $0.isTruncated = true
                     }),
    ]
}
