/// What the decoder could learn from one packet's headers: fixed-size, allocation-free, so that
/// the per-packet path (indexing at ingest, exact filtering at query time) never allocates.
///
/// Fields that could not be decoded (truncated or bogus headers, unknown protocols) keep their
/// zero values and the matching `has…` flag stays false; decoding never fails.
public struct DecodedPacket: Sendable, Equatable {
    /// How far the decoder got.
    public enum NetworkLayer: UInt8, Sendable {
        /// No IP header found (unknown EtherType, ARP, truncated link header, …).
        case none = 0
        /// An IPv4 header was decoded.
        case ipv4 = 4
        /// An IPv6 header was decoded.
        case ipv6 = 6
    }

    /// Up to ``maxVLANs`` 802.1Q/802.1ad VLAN IDs, outermost first (see ``vlanCount``).
    public var vlanIDs: (UInt16, UInt16, UInt16, UInt16) = (0, 0, 0, 0)
    /// Number of VLAN tags seen (may exceed ``maxVLANs``; only the first are kept).
    public var vlanCount: UInt8 = 0
    /// Up to ``maxMPLSLabels`` MPLS labels (20-bit values), outermost first.
    public var mplsLabels: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    /// Number of MPLS labels seen (may exceed ``maxMPLSLabels``).
    public var mplsCount: UInt8 = 0
    /// The EtherType (or SLL protocol) after VLAN tags, when the link layer has one; 0 otherwise
    /// (null/loopback, raw IP, 802.3 length-field frames). MPLS and PPPoE frames keep their own
    /// EtherType (0x8847/0x8848, 0x8864) here; what they carry shows in `network`.
    public var etherType: UInt16 = 0

    /// The network layer found.
    public var network: NetworkLayer = .none
    /// Source address; valid when `network != .none`.
    public var source = IPAddress(ipv4: 0)
    /// Destination address; valid when `network != .none`.
    public var destination = IPAddress(ipv4: 0)
    /// Whether `ipProtocol` is known (an IP header was decoded).
    public var hasIPProtocol = false
    /// Transport protocol: for IPv6 the upper-layer header after extension headers (ESP and No Next
    /// Header end the chain; a later fragment gives its fragment header's Next Header; an extension
    /// header cut short gives its own type).
    public var ipProtocol: UInt8 = 0
    /// For IPv6, the Next Header value of the fixed header (before extension headers);
    /// for IPv4 the same as `ipProtocol`. tcpdump's `ip6 proto` compares this one.
    public var firstNextHeader: UInt8 = 0
    /// Whether the packet is an IP fragment (MF set or non-zero offset, or an IPv6 fragment header).
    public var isFragment = false
    /// Whether the packet is a non-first fragment (offset ≠ 0): it carries no transport header.
    public var isLaterFragment = false

    /// Whether `sourcePort`/`destinationPort` were read from a TCP, UDP or SCTP header.
    public var hasPorts = false
    /// The transport source port; valid when `hasPorts`.
    public var sourcePort: UInt16 = 0
    /// The transport destination port; valid when `hasPorts`.
    public var destinationPort: UInt16 = 0
    /// TCP flags byte (CWR…FIN); valid when `ipProtocol == 6 && hasPorts` and the first 14 bytes of
    /// the TCP header were captured (0 otherwise).
    public var tcpFlags: UInt8 = 0
    /// ICMP/ICMPv6 type and code; valid when `hasICMP`.
    public var hasICMP = false
    /// The ICMP or ICMPv6 message type; valid when `hasICMP`.
    public var icmpType: UInt8 = 0
    /// The ICMP or ICMPv6 message code; valid when `hasICMP`.
    public var icmpCode: UInt8 = 0

    /// Byte offset of the network header in the captured bytes (valid when `network != .none`).
    public var networkOffset: UInt16 = 0
    /// Byte offset just past the IP packet in the captured bytes (valid when `network != .none`):
    /// where the IP length field says the packet ends, or the end of the captured bytes when the
    /// capture is shorter (or the length field is 0, as in TSO/GRO captures and jumbograms).
    /// Bytes from here on are link-layer padding or trailers, not payload.
    public var networkEnd: UInt32 = 0
    /// Byte offset of the transport payload (after the TCP, UDP or SCTP header) when ports were
    /// decoded: the captured payload is `payloadOffset..<networkEnd`. When the transport header
    /// itself was cut short (`isTruncated`), this is where the captured IP bytes end, so the
    /// payload is empty rather than made of header bytes.
    public var payloadOffset: UInt16 = 0
    /// Whether a header the packet announces ended before its declared length or is bogus (an IPv4
    /// header length below 20, a total length below the header length, a TCP data offset below 5).
    /// A payload cut short by the snap length, with all headers intact, does not count.
    public var isTruncated = false

    /// Maximum number of VLAN IDs kept inline.
    public static let maxVLANs = 4
    /// Maximum number of MPLS labels kept inline.
    public static let maxMPLSLabels = 4

    /// An empty decoding (nothing known).
    public init() {}

    /// The VLAN ID at `index` (outermost is 0); `index` must be below `min(vlanCount, maxVLANs)`.
    @inlinable
    public func vlanID(at index: Int) -> UInt16 {
        switch index {
        case 0: vlanIDs.0
        case 1: vlanIDs.1
        case 2: vlanIDs.2
        default: vlanIDs.3
        }
    }

    /// The MPLS label at `index`; `index` must be below `min(mplsCount, maxMPLSLabels)`.
    @inlinable
    public func mplsLabel(at index: Int) -> UInt32 {
        switch index {
        case 0: mplsLabels.0
        case 1: mplsLabels.1
        case 2: mplsLabels.2
        default: mplsLabels.3
        }
    }

    /// The 5-tuple, when an IP header was decoded (ports are zero for portless protocols).
    public var fiveTuple: FiveTuple? {
        guard network != .none, hasIPProtocol else { return nil }
        return FiveTuple(ipProtocol: ipProtocol, source: source, destination: destination,
                         sourcePort: hasPorts ? sourcePort : 0, destinationPort: hasPorts ? destinationPort : 0)
    }

    /// Whether two decodings are equal field by field; VLAN IDs and MPLS labels beyond the
    /// kept ones are not compared.
    public static func == (lhs: DecodedPacket, rhs: DecodedPacket) -> Bool {
        lhs.vlanCount == rhs.vlanCount && lhs.mplsCount == rhs.mplsCount
            && (0..<Int(min(lhs.vlanCount, 4))).allSatisfy { lhs.vlanID(at: $0) == rhs.vlanID(at: $0) }
            && (0..<Int(min(lhs.mplsCount, 4))).allSatisfy { lhs.mplsLabel(at: $0) == rhs.mplsLabel(at: $0) }
            && lhs.etherType == rhs.etherType && lhs.network == rhs.network
            && lhs.source == rhs.source && lhs.destination == rhs.destination
            && lhs.hasIPProtocol == rhs.hasIPProtocol && lhs.ipProtocol == rhs.ipProtocol
            && lhs.firstNextHeader == rhs.firstNextHeader
            && lhs.isFragment == rhs.isFragment && lhs.isLaterFragment == rhs.isLaterFragment
            && lhs.hasPorts == rhs.hasPorts && lhs.sourcePort == rhs.sourcePort
            && lhs.destinationPort == rhs.destinationPort && lhs.tcpFlags == rhs.tcpFlags
            && lhs.hasICMP == rhs.hasICMP && lhs.icmpType == rhs.icmpType && lhs.icmpCode == rhs.icmpCode
            && lhs.networkOffset == rhs.networkOffset && lhs.networkEnd == rhs.networkEnd
            && lhs.payloadOffset == rhs.payloadOffset
            && lhs.isTruncated == rhs.isTruncated
    }
}
