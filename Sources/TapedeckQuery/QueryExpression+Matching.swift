import TapedeckCore

extension QueryExpression {
    /// Whether a packet captured at `time` with the decoded headers `packet` matches.
    ///
    /// **Hot path**: this runs for every candidate packet of a query. It is a plain recursive
    /// switch over the expression that reads fixed-size fields and never allocates; keep it so
    /// (checked with an `LD_PRELOAD` malloc counter: a million evaluations of a twenty-node
    /// expression made no allocation).
    ///
    /// For untagged traffic the result equals tcpdump's on ``bpfEquivalent()`` (combined with
    /// ``timeWindow``), following what libpcap 1.10 compiles, not what one might expect:
    ///
    /// - `host`/`net` compare the IPv4 or IPv6 source/destination of IP packets only (tcpdump's
    ///   plain `host` would also match ARP/RARP addresses; the equivalent is `ip host`/`ip6 host`).
    /// - `ip proto N` (and `tcp`, `udp`) is tcpdump's `ip proto N or ip6 proto N`. For IPv4 that
    ///   is the header's protocol field, for every fragment. For IPv6, libpcap tests the fixed
    ///   header's next header, or — when that is a Fragment header (44) — the fragment header's
    ///   next header; it does **not** walk other extension headers, so TCP behind a Hop-by-Hop
    ///   or Routing header is not `tcp`. Here: `firstNextHeader == N`, or `firstNextHeader == 44`
    ///   and `ipProtocol == N`. The one divergence: a first fragment whose fragment header is
    ///   followed by further extension headers, where `ipProtocol` is the final upper layer and
    ///   libpcap sees the header after the fragment header. ``DecodedPacket`` does not keep that
    ///   header, and such packets are vanishingly rare.
    /// - `port N` is tcpdump's `port N`: TCP, UDP or SCTP ports where they were decoded
    ///   (``DecodedPacket/hasPorts``; never for non-first IPv4 fragments). For IPv6, libpcap
    ///   reads the ports right after the fixed header, so only packets without extension
    ///   headers (`firstNextHeader == ipProtocol`) match.
    /// - `icmp` is IPv4 ICMP, `icmp6` is `ip6 and ip proto 58` (as above: fixed or fragment
    ///   next header).
    /// - `ip`/`ip6` match packets decoded as IPv4/IPv6, or, when nothing was decoded, whose
    ///   EtherType says so (tcpdump decides by EtherType alone).
    ///
    /// Beyond tcpdump: VLAN and MPLS tags are looked through (as Stenographer does), `vlan N`
    /// and `mpls N` match any of the packet's tags, and the time primitives compare `time`
    /// (`after` inclusive, `before` exclusive).
    public func matches(_ packet: DecodedPacket, at time: Timestamp) -> Bool {
        switch self {
        case let .address(direction, range):
            guard packet.network != .none else { return false }
            switch direction {
            case .either: return range.contains(packet.source) || range.contains(packet.destination)
            case .source: return range.contains(packet.source)
            case .destination: return range.contains(packet.destination)
            }
        case let .port(direction, port):
            guard packet.hasPorts else { return false }
            switch packet.network {
            case .ipv4: break
            case .ipv6: guard packet.firstNextHeader == packet.ipProtocol else { return false }
            case .none: return false
            }
            switch direction {
            case .either: return packet.sourcePort == port || packet.destinationPort == port
            case .source: return packet.sourcePort == port
            case .destination: return packet.destinationPort == port
            }
        case let .ipProtocol(number):
            switch packet.network {
            case .ipv4:
                return packet.hasIPProtocol && packet.ipProtocol == number
            case .ipv6:
                return packet.firstNextHeader == number
                    || (packet.firstNextHeader == Self.ipv6FragmentHeader && packet.hasIPProtocol && packet.ipProtocol == number)
            case .none:
                return false
            }
        case .ipVersion(.v4):
            return packet.network == .ipv4 || (packet.network == .none && packet.etherType == Self.etherTypeIPv4)
        case .ipVersion(.v6):
            return packet.network == .ipv6 || (packet.network == .none && packet.etherType == Self.etherTypeIPv6)
        case let .vlan(id):
            for index in 0..<min(Int(packet.vlanCount), DecodedPacket.maxVLANs) where packet.vlanID(at: index) == id {
                return true
            }
            return false
        case let .mpls(label):
            for index in 0..<min(Int(packet.mplsCount), DecodedPacket.maxMPLSLabels) where packet.mplsLabel(at: index) == label {
                return true
            }
            return false
        case let .timeAfter(start):
            return time >= start
        case let .timeBefore(end):
            return time < end
        case let .and(left, right):
            return left.matches(packet, at: time) && right.matches(packet, at: time)
        case let .or(left, right):
            return left.matches(packet, at: time) || right.matches(packet, at: time)
        case let .not(operand):
            return !operand.matches(packet, at: time)
        }
    }

    private static let ipv6FragmentHeader: UInt8 = 44
    private static let etherTypeIPv4: UInt16 = 0x0800
    private static let etherTypeIPv6: UInt16 = 0x86DD
}
