/// Decodes link, network and transport headers of a captured packet into a ``DecodedPacket``.
///
/// Link types: Ethernet (with 802.1Q/802.1ad/QinQ tags, MPLS and PPPoE sessions), Linux cooked
/// capture v1 and v2, raw IP (`RAW`, `IPV4`, `IPV6`), BSD null (either byte order) and OpenBSD
/// loop. Network layers: IPv4 (options, fragments) and IPv6 (extension headers, fragments).
/// Transport: TCP, UDP, SCTP ports and TCP flags; ICMP and ICMPv6 type and code.
///
/// Decoding reads each byte behind a bounds test, allocates nothing and never traps: whatever
/// cannot be decoded is left at its zero value. `isTruncated` is set when a header that the
/// packet announces is cut short or is bogus (an IPv4 header length below 20 bytes, a total length
/// shorter than the header); a payload cut short by the snap length is not a truncated header.
public enum PacketDecoder {
    /// Decodes `bytes` captured with `linkType`. Never fails and never allocates: whatever
    /// could not be decoded is left unset in the result. Unknown link types decode to nothing
    /// (`network == .none`, not truncated); empty input is truncated.
    public static func decode(_ bytes: UnsafeRawBufferPointer, linkType: LinkType) -> DecodedPacket {
        var packet = DecodedPacket()
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            packet.isTruncated = true
            return packet
        }
        let data = PacketBytes(base: base, count: bytes.count)
        switch linkType {
        case .ethernet: decodeEthernet(data, into: &packet)
        case .linuxSLL: decodeLinuxSLL(data, into: &packet)
        case .linuxSLL2: decodeLinuxSLL2(data, into: &packet)
        case .raw: decodeRawIP(data, at: 0, into: &packet)
        case .ipv4: decodeIPv4(data, at: 0, into: &packet)
        case .ipv6: decodeIPv6(data, at: 0, into: &packet)
        case .null: decodeNull(data, networkByteOrder: false, into: &packet)
        case .loop: decodeNull(data, networkByteOrder: true, into: &packet)
        default: break
        }
        return packet
    }

    /// Ethernet II: 6 + 6 address bytes, then the EtherType; values below 0x0600 are 802.3
    /// lengths (LLC follows), which carry no IP as far as this decoder is concerned.
    static func decodeEthernet(_ data: PacketBytes, into packet: inout DecodedPacket) {
        guard data.contains(0, 14) else {
            packet.isTruncated = true
            return
        }
        let etherType = data.uint16(at: 12)
        guard etherType >= 0x0600 else { return }
        decodeEtherType(etherType, at: 14, data, into: &packet)
    }

    /// Linux cooked capture v1: packet type, ARPHRD type, address length, 8 address bytes, then
    /// the protocol (an EtherType, or a `LINUX_SLL_P_*` value below 0x0600 that is not IP).
    static func decodeLinuxSLL(_ data: PacketBytes, into packet: inout DecodedPacket) {
        guard data.contains(0, 16) else {
            packet.isTruncated = true
            return
        }
        decodeCookedProtocol(data.uint16(at: 14), hardwareType: data.uint16(at: 2), at: 16, data, into: &packet)
    }

    /// Linux cooked capture v2: protocol, reserved, interface index, ARPHRD type, packet type,
    /// address length and 8 address bytes.
    static func decodeLinuxSLL2(_ data: PacketBytes, into packet: inout DecodedPacket) {
        guard data.contains(0, 20) else {
            packet.isTruncated = true
            return
        }
        decodeCookedProtocol(data.uint16(at: 0), hardwareType: data.uint16(at: 8), at: 20, data, into: &packet)
    }

    /// The protocol field of a cooked header: an EtherType unless the device is a netlink socket
    /// (`ARPHRD_NETLINK`, whose protocol is a netlink family) or the value is a `LINUX_SLL_P_*`.
    @inline(__always)
    static func decodeCookedProtocol(_ proto: UInt16, hardwareType: UInt16, at offset: Int, _ data: PacketBytes,
                                     into packet: inout DecodedPacket) {
        packet.etherType = proto
        let arphrdNetlink: UInt16 = 824
        guard hardwareType != arphrdNetlink, proto >= 0x0600 else { return }
        decodeEtherType(proto, at: offset, data, into: &packet)
    }

    /// BSD null (`networkByteOrder == false`: the family is in the capturing host's byte order,
    /// so both orders are accepted) and OpenBSD loop (network order): a 4-byte address family,
    /// `AF_INET` (2) or one of the BSDs' `AF_INET6` values (24, 28, 30).
    static func decodeNull(_ data: PacketBytes, networkByteOrder: Bool, into packet: inout DecodedPacket) {
        guard data.contains(0, 4) else {
            packet.isTruncated = true
            return
        }
        var family = data.uint32(at: 0)
        if !networkByteOrder, family & 0xFFFF_0000 != 0 { family = family.byteSwapped }
        switch family {
        case 2: decodeIPv4(data, at: 4, into: &packet)
        case 24, 28, 30: decodeIPv6(data, at: 4, into: &packet)
        default: break
        }
    }

    /// An IP header whose version is given by its first nibble (raw IP, MPLS payloads).
    static func decodeRawIP(_ data: PacketBytes, at offset: Int, into packet: inout DecodedPacket) {
        guard data.contains(offset, 1) else {
            packet.isTruncated = true
            return
        }
        switch data.uint8(at: offset) >> 4 {
        case 4: decodeIPv4(data, at: offset, into: &packet)
        case 6: decodeIPv6(data, at: offset, into: &packet)
        default: break
        }
    }
}
