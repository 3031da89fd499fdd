import TapedeckCore

/// The TCP header fields and payload of one captured packet, as reassembly needs them.
struct TCPSegment {
    static let fin: UInt8 = 0x01
    static let syn: UInt8 = 0x02
    static let rst: UInt8 = 0x04
    static let ack: UInt8 = 0x10

    /// The sequence number field.
    var sequence: UInt32
    /// The acknowledgment number field (meaningful with ``isACK``).
    var acknowledgment: UInt32
    /// The flags byte (CWR…FIN).
    var flags: UInt8
    /// The captured payload: `payloadOffset..<networkEnd` of the packet (Ethernet padding excluded).
    var payload: UnsafeRawBufferPointer
    /// Where the payload starts in the packet's captured bytes.
    var payloadStart: Int
    /// The payload's length in sequence space, from the IP length fields: more than
    /// `payload.count` when the capture cut the packet short.
    var length: Int

    @inline(__always) var isSYN: Bool { flags & Self.syn != 0 }
    @inline(__always) var isFIN: Bool { flags & Self.fin != 0 }
    @inline(__always) var isRST: Bool { flags & Self.rst != 0 }
    @inline(__always) var isACK: Bool { flags & Self.ack != 0 }
    /// A SYN without ACK: the opening of a connection.
    @inline(__always) var isPureSYN: Bool { flags & (Self.syn | Self.ack) == Self.syn }
    /// The sequence number of the first payload byte (a SYN takes one sequence number).
    @inline(__always) var dataSequence: UInt32 { isSYN ? sequence &+ 1 : sequence }

    /// The segment of `record`, or nil when it is not a TCP packet whose header was decoded whole:
    /// IP fragments (not reassembled), bogus or cut-off headers.
    init?(_ record: PacketRecord, _ decoded: DecodedPacket) {
        guard decoded.ipProtocol == 6, decoded.hasPorts, !decoded.isTruncated, !decoded.isFragment,
              let header = Self.headerOffset(record.bytes, decoded) else { return nil }
        let bytes = record.bytes
        let payloadStart = Int(decoded.payloadOffset)
        let payloadEnd = max(payloadStart, Int(decoded.networkEnd))
        sequence = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: header + 4, as: UInt32.self))
        acknowledgment = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: header + 8, as: UInt32.self))
        flags = bytes[header + 13]
        payload = UnsafeRawBufferPointer(rebasing: bytes[payloadStart..<payloadEnd])
        self.payloadStart = payloadStart
        length = payload.count
        if Int(record.originalLength) > bytes.count {
            length = max(length, Self.declaredEnd(bytes, decoded) - payloadStart)
        }
    }

    /// Where the TCP header starts: after the IPv4 header, or after the IPv6 header and the
    /// extension headers the decoder skips; nil unless the header found ends at the decoder's
    /// payload offset.
    private static func headerOffset(_ bytes: UnsafeRawBufferPointer, _ decoded: DecodedPacket) -> Int? {
        let network = Int(decoded.networkOffset)
        var offset: Int
        switch decoded.network {
        case .ipv4:
            offset = network + Int(bytes[network] & 0x0F) * 4
        case .ipv6:
            offset = network + 40
            var next = bytes[network + 6]
            while next != 6 {
                guard offset + 2 <= bytes.count else { return nil }
                let length: Int
                switch next {
                case 0, 43, 60, 135: length = (Int(bytes[offset + 1]) + 1) * 8
                case 51: length = (Int(bytes[offset + 1]) + 2) * 4
                case 44: length = 8
                default: return nil
                }
                next = bytes[offset]
                offset += length
            }
        case .none:
            return nil
        }
        guard offset + 20 <= bytes.count, offset + Int(bytes[offset + 12] >> 4) * 4 == Int(decoded.payloadOffset) else {
            return nil
        }
        return offset
    }

    /// Where the IP length fields say the packet ends (which may be past the captured bytes);
    /// the captured end when the field is 0 (TSO/GRO captures, jumbograms).
    private static func declaredEnd(_ bytes: UnsafeRawBufferPointer, _ decoded: DecodedPacket) -> Int {
        let network = Int(decoded.networkOffset)
        let field = Int(UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: network + (decoded.network == .ipv4 ? 2 : 4),
                                                                as: UInt16.self)))
        guard field != 0 else { return Int(decoded.networkEnd) }
        return network + (decoded.network == .ipv4 ? field : 40 + field)
    }
}
