// Hand-built packet headers for decoder and writer tests. Checksums are left zero: the decoder
// does not look at them, and tshark does not verify them by default.

import TapedeckCore

/// Builders for link, network and transport headers, each returning its bytes.
enum Build {
    static func bigEndian16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

    static func bigEndian32(_ value: UInt32) -> [UInt8] { bigEndian16(UInt16(value >> 16)) + bigEndian16(UInt16(value & 0xFFFF)) }

    static func littleEndian32(_ value: UInt32) -> [UInt8] { bigEndian32(value).reversed() }

    static func address(_ text: String) -> [UInt8] {
        let address = IPAddress(text)!
        if let v4 = address.ipv4Value { return bigEndian32(v4) }
        return bigEndian32(UInt32(address.high >> 32)) + bigEndian32(UInt32(address.high & 0xFFFF_FFFF))
            + bigEndian32(UInt32(address.low >> 32)) + bigEndian32(UInt32(address.low & 0xFFFF_FFFF))
    }

    /// Ethernet II: destination 02:00:00:00:00:02, source 02:00:00:00:00:01, `type`.
    static func ethernet(_ type: UInt16) -> [UInt8] {
        [0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01] + bigEndian16(type)
    }

    /// The 4 bytes after a tag's TPID: priority 3, the VLAN ID, then the inner `type`.
    static func vlanTag(_ id: UInt16, then type: UInt16) -> [UInt8] {
        bigEndian16(0x6000 | id) + bigEndian16(type)
    }

    /// One MPLS label stack entry, TTL 64.
    static func mpls(_ label: UInt32, bottom: Bool) -> [UInt8] {
        bigEndian32(label << 12 | (bottom ? 0x100 : 0) | 64)
    }

    /// PPPoE session header (session 0x1234) and the PPP protocol; `length` covers PPP protocol + payload.
    static func pppoeSession(protocol ppp: UInt16, payloadLength: Int) -> [UInt8] {
        [0x11, 0x00] + bigEndian16(0x1234) + bigEndian16(UInt16(payloadLength + 2)) + bigEndian16(ppp)
    }

    /// Linux cooked v1: packet type 0 (to us), `hardwareType`, a 6-byte address, `proto`.
    static func linuxSLL(_ proto: UInt16, hardwareType: UInt16 = 1) -> [UInt8] {
        bigEndian16(0) + bigEndian16(hardwareType) + bigEndian16(6) + [0x02, 0, 0, 0, 0, 0x01, 0, 0] + bigEndian16(proto)
    }

    /// Linux cooked v2: `proto`, interface 3, `hardwareType`, packet type 4 (outgoing), a 6-byte address.
    static func linuxSLL2(_ proto: UInt16, hardwareType: UInt16 = 1) -> [UInt8] {
        bigEndian16(proto) + [0, 0] + bigEndian32(3) + bigEndian16(hardwareType) + [4, 6]
            + [0x02, 0, 0, 0, 0, 0x01, 0, 0]
    }

    /// BSD null/loop header with address `family`.
    static func null(_ family: UInt32, bigEndian: Bool) -> [UInt8] {
        bigEndian ? bigEndian32(family) : littleEndian32(family)
    }

    /// IPv4 header (TTL 64, ID 0x1234); `payloadLength` sets the total length; `fragment` is the
    /// flags-and-offset field; `options` must be a multiple of 4 bytes unless `headerWords` overrides IHL.
    static func ipv4(_ source: String, _ destination: String, proto: UInt8, payloadLength: Int,
                     fragment: UInt16 = 0, options: [UInt8] = [], headerWords: UInt8? = nil, totalLength: UInt16? = nil) -> [UInt8] {
        let words = headerWords ?? UInt8(5 + options.count / 4)
        let total = totalLength ?? UInt16(20 + options.count + payloadLength)
        return [0x40 | words, 0] + bigEndian16(total) + bigEndian16(0x1234) + bigEndian16(fragment)
            + [64, proto, 0, 0] + address(source) + address(destination) + options
    }

    /// IPv6 fixed header (hop limit 64); `payloadLength` covers extension headers and upper layer.
    static func ipv6(_ source: String, _ destination: String, next: UInt8, payloadLength: Int) -> [UInt8] {
        [0x60, 0, 0, 0] + bigEndian16(UInt16(payloadLength)) + [next, 64] + address(source) + address(destination)
    }

    /// An 8-byte IPv6 options header (hop-by-hop or destination options) with a PadN option.
    static func ipv6Options(next: UInt8) -> [UInt8] { [next, 0, 1, 4, 0, 0, 0, 0] }

    /// A 24-byte type-0-style routing header (length 2) carrying one address.
    static func ipv6Routing(next: UInt8) -> [UInt8] { [next, 2, 0, 1, 0, 0, 0, 0] + address("2001:db8::99") }

    /// An IPv6 fragment header; `offset` in 8-byte units.
    static func ipv6Fragment(next: UInt8, offset: UInt16, more: Bool) -> [UInt8] {
        [next, 0] + bigEndian16(offset << 3 | (more ? 1 : 0)) + bigEndian32(0xCAFE)
    }

    /// An authentication header with a 4-byte ICV (payload length 2: 12 bytes).
    static func authenticationHeader(next: UInt8) -> [UInt8] {
        [next, 2, 0, 0] + bigEndian32(0x100) + bigEndian32(1) + bigEndian32(0xABCD_EF01)
    }

    /// TCP header with `options` (a multiple of 4 bytes), then `payload`.
    static func tcp(_ sourcePort: UInt16, _ destinationPort: UInt16, flags: UInt8, options: [UInt8] = [],
                    payload: [UInt8] = []) -> [UInt8] {
        bigEndian16(sourcePort) + bigEndian16(destinationPort) + bigEndian32(1000) + bigEndian32(2000)
            + [UInt8((5 + options.count / 4) << 4), flags] + bigEndian16(65535) + [0, 0, 0, 0] + options + payload
    }

    /// UDP header and `payload`.
    static func udp(_ sourcePort: UInt16, _ destinationPort: UInt16, payload: [UInt8] = []) -> [UInt8] {
        bigEndian16(sourcePort) + bigEndian16(destinationPort) + bigEndian16(UInt16(8 + payload.count)) + [0, 0] + payload
    }

    /// SCTP common header (verification tag 1, checksum 0) and a SHUTDOWN ACK chunk (4 bytes).
    static func sctp(_ sourcePort: UInt16, _ destinationPort: UInt16) -> [UInt8] {
        bigEndian16(sourcePort) + bigEndian16(destinationPort) + bigEndian32(1) + [0, 0, 0, 0] + [8, 0, 0, 4]
    }

    /// ICMP or ICMPv6 header (type, code, checksum, identifier, sequence) and `payload`.
    static func icmp(type: UInt8, code: UInt8, payload: [UInt8] = []) -> [UInt8] {
        [type, code, 0, 0, 0, 1, 0, 1] + payload
    }
}

/// Decodes `bytes` as `linkType`.
func decode(_ bytes: [UInt8], _ linkType: LinkType) -> DecodedPacket {
    bytes.withUnsafeBytes { PacketDecoder.decode($0, linkType: linkType) }
}

/// A few payload bytes.
let samplePayload: [UInt8] = Array("hello tapedeck".utf8)
