extension PacketDecoder {
    /// Follows an EtherType chain: VLAN tags (802.1Q 0x8100, 802.1ad 0x88a8, pre-standard QinQ
    /// 0x9100; any number, the first ``DecodedPacket/maxVLANs`` IDs kept), then IPv4, IPv6, an
    /// MPLS label stack (0x8847, 0x8848) or a PPPoE session (0x8864).
    static func decodeEtherType(_ firstType: UInt16, at firstOffset: Int, _ data: PacketBytes,
                                into packet: inout DecodedPacket) {
        var etherType = firstType
        var offset = firstOffset
        while etherType == 0x8100 || etherType == 0x88A8 || etherType == 0x9100 {
            guard data.contains(offset, 2) else {
                packet.isTruncated = true
                return
            }
            addVLAN(data.uint16(at: offset) & 0x0FFF, to: &packet)
            guard data.contains(offset, 4) else {
                packet.isTruncated = true
                return
            }
            etherType = data.uint16(at: offset &+ 2)
            offset &+= 4
        }
        packet.etherType = etherType
        switch etherType {
        case 0x0800: decodeIPv4(data, at: offset, into: &packet)
        case 0x86DD: decodeIPv6(data, at: offset, into: &packet)
        case 0x8847, 0x8848: decodeMPLS(data, at: offset, into: &packet)
        case 0x8864: decodePPPoESession(data, at: offset, into: &packet)
        default: break
        }
    }

    /// Records one VLAN tag: its ID if fewer than ``DecodedPacket/maxVLANs`` are kept, and the
    /// count (saturating at 255).
    @inline(__always)
    static func addVLAN(_ id: UInt16, to packet: inout DecodedPacket) {
        switch packet.vlanCount {
        case 0: packet.vlanIDs.0 = id
        case 1: packet.vlanIDs.1 = id
        case 2: packet.vlanIDs.2 = id
        case 3: packet.vlanIDs.3 = id
        default: break
        }
        if packet.vlanCount < .max { packet.vlanCount &+= 1 }
    }

    /// An MPLS label stack: 4-byte entries up to the one with the bottom-of-stack bit, then an IP
    /// header guessed from its version nibble (anything else, such as a pseudowire control word,
    /// is not decoded).
    static func decodeMPLS(_ data: PacketBytes, at firstOffset: Int, into packet: inout DecodedPacket) {
        var offset = firstOffset
        while true {
            guard data.contains(offset, 4) else {
                packet.isTruncated = true
                return
            }
            let entry = data.uint32(at: offset)
            let label = entry >> 12
            switch packet.mplsCount {
            case 0: packet.mplsLabels.0 = label
            case 1: packet.mplsLabels.1 = label
            case 2: packet.mplsLabels.2 = label
            case 3: packet.mplsLabels.3 = label
            default: break
            }
            if packet.mplsCount < .max { packet.mplsCount &+= 1 }
            offset &+= 4
            if entry & 0x100 != 0 { break }
        }
        decodeRawIP(data, at: offset, into: &packet)
    }

    /// A PPPoE session header (version/type, code, session ID, length) and the PPP protocol:
    /// 0x0021 is IPv4, 0x0057 IPv6; other PPP protocols (LCP, IPCP, …) carry no IP.
    static func decodePPPoESession(_ data: PacketBytes, at offset: Int, into packet: inout DecodedPacket) {
        guard data.contains(offset, 8) else {
            packet.isTruncated = true
            return
        }
        switch data.uint16(at: offset &+ 6) {
        case 0x0021: decodeIPv4(data, at: offset &+ 8, into: &packet)
        case 0x0057: decodeIPv6(data, at: offset &+ 8, into: &packet)
        default: break
        }
    }
}
