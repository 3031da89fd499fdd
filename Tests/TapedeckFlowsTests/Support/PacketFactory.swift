import TapedeckCore
import TapedeckFlows

/// Builds Ethernet frames of synthetic TCP and UDP conversations for the tests.
struct PacketFactory {
    /// One side of a conversation.
    struct Endpoint {
        var address: String
        var port: UInt16
    }

    var client = Endpoint(address: "10.0.0.1", port: 40000)
    var server = Endpoint(address: "10.0.0.2", port: 80)
    /// Time of the next packet (ns); each packet advances it by `step`.
    var time: Int64 = 1_700_000_000_000_000_000
    var step: Int64 = 1_000_000

    static let fin: UInt8 = 0x01, syn: UInt8 = 0x02, rst: UInt8 = 0x04, psh: UInt8 = 0x08, ack: UInt8 = 0x10

    /// A TCP segment from the client (`fromClient`) or the server.
    mutating func tcp(fromClient: Bool, seq: UInt32, ack: UInt32 = 0, flags: UInt8, payload: [UInt8] = [],
                      padding: Int = 0) -> OwnedPacket {
        let (source, destination) = fromClient ? (client, server) : (server, client)
        var tcp = be16(source.port) + be16(destination.port) + be32(seq) + be32(ack)
        tcp += [0x50, flags] + be16(65535) + [0, 0, 0, 0]
        return frame(source: source.address, destination: destination.address, proto: 6, transport: tcp + payload, padding: padding)
    }

    /// A UDP datagram.
    mutating func udp(fromClient: Bool, payload: [UInt8]) -> OwnedPacket {
        let (source, destination) = fromClient ? (client, server) : (server, client)
        let udp = be16(source.port) + be16(destination.port) + be16(UInt16(8 + payload.count)) + [0, 0]
        return frame(source: source.address, destination: destination.address, proto: 17, transport: udp + payload, padding: 0)
    }

    private mutating func frame(source: String, destination: String, proto: UInt8, transport: [UInt8], padding: Int) -> OwnedPacket {
        let isIPv6 = source.contains(":")
        var bytes: [UInt8] = [0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01] + be16(isIPv6 ? 0x86DD : 0x0800)
        if isIPv6 {
            bytes += [0x60, 0, 0, 0] + be16(UInt16(transport.count)) + [proto, 64] + address(source) + address(destination)
        } else {
            bytes += [0x45, 0] + be16(UInt16(20 + transport.count)) + [0, 0, 0x40, 0, 64, proto, 0, 0]
                + address(source) + address(destination)
        }
        bytes += transport + [UInt8](repeating: 0, count: padding)
        defer { time += step }
        return OwnedPacket(timestamp: Timestamp(nanoseconds: time), bytes: bytes)
    }

    private func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
    private func be32(_ value: UInt32) -> [UInt8] { be16(UInt16(value >> 16)) + be16(UInt16(value & 0xFFFF)) }

    private func address(_ text: String) -> [UInt8] {
        let address = IPAddress(text)!
        if let v4 = address.ipv4Value { return be32(v4) }
        return (0..<16).map { index in
            UInt8(truncatingIfNeeded: (index < 8 ? address.high : address.low) >> UInt64(56 - index % 8 * 8))
        }
    }
}

/// A packet with its own bytes.
struct OwnedPacket {
    var timestamp: Timestamp
    var bytes: [UInt8]
    /// Set below `bytes.count` to feed the packet cut to a snap length.
    var capturedLength: Int?

    /// Calls `body` with a record borrowing the bytes.
    func withRecord<R>(_ body: (PacketRecord) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { buffer in
            let captured = UnsafeRawBufferPointer(rebasing: buffer.prefix(capturedLength ?? bytes.count))
            return try body(PacketRecord(timestamp: timestamp, originalLength: UInt32(bytes.count), linkType: .ethernet, bytes: captured))
        }
    }
}

extension FlowTracker {
    /// Processes owned packets in order.
    func process(_ packets: [OwnedPacket], into sink: inout some FlowEventSink) {
        for packet in packets {
            packet.withRecord { process($0, into: &sink) }
        }
    }
}
