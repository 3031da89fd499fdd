/// The protocol names Suricata writes in an EVE record's `proto`, and their numbers.
enum IPProtocolName {
    /// Names as Suricata spells them (`proto` is printed from the IANA protocol table), lower-cased.
    static let numbers: [String: UInt8] = [
        "hopopt": 0, "icmp": 1, "igmp": 2, "ipv4": 4, "ipip": 4, "tcp": 6, "egp": 8, "igp": 9, "udp": 17,
        "ipv6": 41, "ipv6-route": 43, "ipv6-frag": 44, "rsvp": 46, "gre": 47, "esp": 50, "ah": 51,
        "ipv6-icmp": 58, "icmpv6": 58, "ipv6-nonxt": 59, "ipv6-opts": 60, "eigrp": 88, "ospf": 89, "ospfigp": 89,
        "pim": 103, "vrrp": 112, "l2tp": 115, "sctp": 132, "udplite": 136, "mpls-in-ip": 137,
    ]

    /// The number of a `proto` value: a name (any case), a number, or a string of digits.
    static func number(of value: JSONValue) -> UInt8? {
        if let number = value.int64 { return (0...255).contains(number) ? UInt8(number) : nil }
        guard let text = value.string else { return nil }
        if let number = UInt8(text) { return number }
        return numbers[text.lowercased()]
    }
}
