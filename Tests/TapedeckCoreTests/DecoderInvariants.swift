import TapedeckCore

/// Checks relations every decoding must satisfy, whatever the input; returns the first one
/// broken, or nil.
func invariantViolation(_ packet: DecodedPacket, capturedLength: Int) -> String? {
    let headerLimit = min(capturedLength, 65_535)
    switch packet.network {
    case .none:
        if packet.hasIPProtocol || packet.hasPorts || packet.hasICMP || packet.isFragment {
            return "transport fields without an IP header"
        }
    case .ipv4, .ipv6:
        let fixedHeader = packet.network == .ipv4 ? 20 : 40
        if Int(packet.networkOffset) + fixedHeader > headerLimit { return "IP header passes the captured bytes" }
        if Int(packet.networkEnd) > capturedLength || packet.networkEnd < UInt32(packet.networkOffset) {
            return "networkEnd \(packet.networkEnd) outside \(packet.networkOffset)...\(capturedLength)"
        }
        if !packet.hasIPProtocol { return "IP header without a protocol" }
        if packet.source.isIPv6 != (packet.network == .ipv6) || packet.destination.isIPv6 != (packet.network == .ipv6) {
            return "address family differs from the network layer"
        }
        if packet.network == .ipv4, packet.firstNextHeader != packet.ipProtocol {
            return "IPv4 firstNextHeader differs from ipProtocol"
        }
    }
    if packet.hasPorts {
        if ![6, 17, 132].contains(packet.ipProtocol) { return "ports for protocol \(packet.ipProtocol)" }
        if Int(packet.payloadOffset) <= Int(packet.networkOffset) || UInt32(packet.payloadOffset) > packet.networkEnd {
            return "payloadOffset \(packet.payloadOffset) outside the IP packet"
        }
    } else if packet.payloadOffset != 0 || packet.sourcePort != 0 || packet.destinationPort != 0 {
        return "port fields set without hasPorts"
    }
    if packet.hasICMP, packet.ipProtocol != 1, packet.ipProtocol != 58 { return "ICMP for protocol \(packet.ipProtocol)" }
    if packet.isLaterFragment, !packet.isFragment || packet.hasPorts || packet.hasICMP {
        return "a later fragment with transport fields"
    }
    if packet.tcpFlags != 0, packet.ipProtocol != 6 { return "TCP flags for protocol \(packet.ipProtocol)" }
    return nil
}
