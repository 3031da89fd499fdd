extension PacketDecoder {
    /// The transport header of protocol `proto` at `offset`, read only below `limit` (the end of
    /// the IP packet or of the header window): TCP (6), UDP (17) and SCTP (132) ports, TCP flags
    /// and the payload offset; ICMP (1) and ICMPv6 (58) type and code. Other protocols are left
    /// alone. Ports are kept when at least their 4 bytes fit, even if the rest is cut short.
    @inline(__always)
    static func decodeTransport(_ proto: UInt8, at offset: Int, limit: Int, _ data: PacketBytes,
                                into packet: inout DecodedPacket) {
        let headerLength: Int
        switch proto {
        case 6:
            guard data.contains(offset, 14, below: limit) else {
                decodePorts(data, at: offset, limit: limit, into: &packet)
                return
            }
            packet.tcpFlags = data.uint8(at: offset &+ 13)
            headerLength = Int(data.uint8(at: offset &+ 12) >> 4) &<< 2
            guard headerLength >= 20 else {
                decodePorts(data, at: offset, limit: limit, into: &packet)
                return
            }
        case 17:
            headerLength = 8
        case 132:
            headerLength = 12
        case 1, 58:
            guard data.contains(offset, 2, below: limit) else {
                packet.isTruncated = true
                return
            }
            packet.hasICMP = true
            packet.icmpType = data.uint8(at: offset)
            packet.icmpCode = data.uint8(at: offset &+ 1)
            if !data.contains(offset, 4, below: limit) { packet.isTruncated = true }
            return
        default:
            return
        }
        guard data.contains(offset, headerLength, below: limit) else {
            decodePorts(data, at: offset, limit: limit, into: &packet)
            return
        }
        packet.hasPorts = true
        packet.sourcePort = data.uint16(at: offset)
        packet.destinationPort = data.uint16(at: offset &+ 2)
        packet.payloadOffset = UInt16(truncatingIfNeeded: offset &+ headerLength)
    }

    /// The ports of a transport header that is cut short (or, for TCP, has a data offset below
    /// 20 bytes): kept if their 4 bytes fit; the payload offset is `limit` (no payload) and the
    /// packet is marked truncated.
    static func decodePorts(_ data: PacketBytes, at offset: Int, limit: Int, into packet: inout DecodedPacket) {
        packet.isTruncated = true
        guard data.contains(offset, 4, below: limit) else { return }
        packet.hasPorts = true
        packet.sourcePort = data.uint16(at: offset)
        packet.destinationPort = data.uint16(at: offset &+ 2)
        packet.payloadOffset = UInt16(truncatingIfNeeded: limit)
    }
}
