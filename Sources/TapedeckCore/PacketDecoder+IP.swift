extension PacketDecoder {
    /// An IPv4 header at `offset`: addresses, protocol, fragment fields, then the transport
    /// header of unfragmented packets and first fragments.
    ///
    /// The packet ends at `min(total length, captured)`; a total length of 0 (TSO/GRO captures)
    /// means "up to the captured end". A header length below 20 bytes or a total length below the
    /// header length is bogus: the addresses are kept and decoding stops, marked truncated.
    static func decodeIPv4(_ data: PacketBytes, at offset: Int, into packet: inout DecodedPacket) {
        guard data.contains(offset, 1) else {
            packet.isTruncated = true
            return
        }
        let versionAndLength = data.uint8(at: offset)
        guard versionAndLength >> 4 == 4 else { return }
        guard data.contains(offset, 20) else {
            packet.isTruncated = true
            return
        }
        let proto = data.uint8(at: offset &+ 9)
        let fragmentField = data.uint16(at: offset &+ 6)
        let fragmentOffset = fragmentField & 0x1FFF
        let totalLength = Int(data.uint16(at: offset &+ 2))
        let end = totalLength == 0 ? data.count : min(offset &+ totalLength, data.count)

        packet.network = .ipv4
        packet.networkOffset = UInt16(truncatingIfNeeded: offset)
        packet.networkEnd = UInt32(truncatingIfNeeded: end)
        packet.source = IPAddress(ipv4: data.uint32(at: offset &+ 12))
        packet.destination = IPAddress(ipv4: data.uint32(at: offset &+ 16))
        packet.hasIPProtocol = true
        packet.ipProtocol = proto
        packet.firstNextHeader = proto
        packet.isFragment = fragmentField & 0x2000 != 0 || fragmentOffset != 0
        packet.isLaterFragment = fragmentOffset != 0

        let headerLength = Int(versionAndLength & 0x0F) &<< 2
        let limit = min(end, data.headerLimit)
        guard headerLength >= 20, totalLength == 0 || totalLength >= headerLength,
              data.contains(offset, headerLength, below: limit) else {
            packet.isTruncated = true
            return
        }
        guard fragmentOffset == 0 else { return }
        decodeTransport(proto, at: offset &+ headerLength, limit: limit, data, into: &packet)
    }

    /// An IPv6 header at `offset` and its extension headers: hop-by-hop (0), routing (43),
    /// fragment (44), destination options (60), AH (51) and mobility (135) are skipped; ESP (50),
    /// No Next Header (59) and anything else end the chain and become `ipProtocol`.
    ///
    /// The packet ends at `min(40 + payload length, captured)`; a payload length of 0 (jumbograms,
    /// TSO/GRO captures) means "up to the captured end". When an extension header is cut short,
    /// `ipProtocol` is that header's type and the packet is marked truncated. A later fragment
    /// (offset ≠ 0) ends the chain with the fragment header's Next Header as `ipProtocol`.
    static func decodeIPv6(_ data: PacketBytes, at offset: Int, into packet: inout DecodedPacket) {
        guard data.contains(offset, 1) else {
            packet.isTruncated = true
            return
        }
        guard data.uint8(at: offset) >> 4 == 6 else { return }
        guard data.contains(offset, 40) else {
            packet.isTruncated = true
            return
        }
        let payloadLength = Int(data.uint16(at: offset &+ 4))
        let end = payloadLength == 0 ? data.count : min(offset &+ 40 &+ payloadLength, data.count)
        var next = data.uint8(at: offset &+ 6)

        packet.network = .ipv6
        packet.networkOffset = UInt16(truncatingIfNeeded: offset)
        packet.networkEnd = UInt32(truncatingIfNeeded: end)
        packet.source = IPAddress(ipv6High: data.uint64(at: offset &+ 8), low: data.uint64(at: offset &+ 16))
        packet.destination = IPAddress(ipv6High: data.uint64(at: offset &+ 24), low: data.uint64(at: offset &+ 32))
        packet.hasIPProtocol = true
        packet.firstNextHeader = next
        packet.ipProtocol = next

        let limit = min(end, data.headerLimit)
        var header = offset &+ 40
        while true {
            let length: Int
            switch next {
            case 0, 43, 60, 135:
                guard data.contains(header, 2, below: limit) else {
                    packet.isTruncated = true
                    return
                }
                length = (Int(data.uint8(at: header &+ 1)) &+ 1) &<< 3
            case 51:
                guard data.contains(header, 2, below: limit) else {
                    packet.isTruncated = true
                    return
                }
                length = (Int(data.uint8(at: header &+ 1)) &+ 2) &<< 2
            case 44:
                length = 8
            default:
                decodeTransport(next, at: header, limit: limit, data, into: &packet)
                return
            }
            guard data.contains(header, length, below: limit) else {
                packet.isTruncated = true
                return
            }
            let following = data.uint8(at: header)
            if next == 44 {
                packet.isFragment = true
                if data.uint16(at: header &+ 2) & 0xFFF8 != 0 {
                    packet.isLaterFragment = true
                    packet.ipProtocol = following
                    return
                }
            }
            next = following
            packet.ipProtocol = next
            header &+= length
        }
    }
}
