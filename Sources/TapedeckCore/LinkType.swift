/// A pcap link-layer header type (`LINKTYPE_*` from tcpdump.org), stored with every block so
/// that packets of any link type round-trip; unknown values are kept as they are.
public struct LinkType: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The `LINKTYPE_*` number as written in pcap and pcapng files.
    public var rawValue: UInt32

    /// Wraps a `LINKTYPE_*` number.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// BSD loopback: a 4-byte address family in the capturing host's byte order (`LINKTYPE_NULL`).
    public static let null = LinkType(rawValue: 0)
    /// Ethernet II / 802.3 (`LINKTYPE_ETHERNET`).
    public static let ethernet = LinkType(rawValue: 1)
    /// Raw IPv4 or IPv6, version from the first nibble (`LINKTYPE_RAW`; DLT 12/14 map here).
    public static let raw = LinkType(rawValue: 101)
    /// OpenBSD loopback: a 4-byte address family in network byte order (`LINKTYPE_LOOP`).
    public static let loop = LinkType(rawValue: 108)
    /// Linux cooked capture v1 (`LINKTYPE_LINUX_SLL`).
    public static let linuxSLL = LinkType(rawValue: 113)
    /// Raw IPv4 (`LINKTYPE_IPV4`).
    public static let ipv4 = LinkType(rawValue: 228)
    /// Raw IPv6 (`LINKTYPE_IPV6`).
    public static let ipv6 = LinkType(rawValue: 229)
    /// Linux cooked capture v2 (`LINKTYPE_LINUX_SLL2`).
    public static let linuxSLL2 = LinkType(rawValue: 276)

    /// Numeric order of the `LINKTYPE_*` values.
    public static func < (lhs: LinkType, rhs: LinkType) -> Bool { lhs.rawValue < rhs.rawValue }

    /// libpcap's name for the link type (`EN10MB`, `LINUX_SLL`, …) or `LINKTYPE_<n>`.
    public var description: String {
        switch self {
        case .null: "NULL"
        case .ethernet: "EN10MB"
        case .raw: "RAW"
        case .loop: "LOOP"
        case .linuxSLL: "LINUX_SLL"
        case .ipv4: "IPV4"
        case .ipv6: "IPV6"
        case .linuxSLL2: "LINUX_SLL2"
        default: "LINKTYPE_\(rawValue)"
        }
    }
}
