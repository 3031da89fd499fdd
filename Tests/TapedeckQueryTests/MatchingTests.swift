import TapedeckCore
import Testing
@testable import TapedeckQuery

@Suite("Per-packet filter semantics")
struct MatchingTests {
    let t = testNow
    let tcp4 = Decoded.ipv4("10.0.0.1", "10.0.0.2", protocol: 6, ports: (1234, 80))
    let udp4 = Decoded.ipv4("10.0.0.3", "192.168.1.1", protocol: 17, ports: (53, 5353))
    let icmp4 = Decoded.ipv4("10.0.0.1", "8.8.8.8", protocol: 1)
    let tcp6 = Decoded.ipv6("2001:db8::1", "2001:db8::2", protocol: 6, ports: (443, 50000))
    let icmpv6 = Decoded.ipv6("fe80::1", "ff02::1", protocol: 58)
    let arp = Decoded.other(etherType: 0x0806)

    func check(_ query: String, _ packet: DecodedPacket, at time: Timestamp? = nil) throws -> Bool {
        try parse(query).matches(packet, at: time ?? t)
    }

    @Test func host() throws {
        #expect(try check("host 10.0.0.1", tcp4))
        #expect(try check("host 10.0.0.2", tcp4))
        #expect(try !check("host 10.0.0.3", tcp4))
        #expect(try check("src host 10.0.0.1", tcp4))
        #expect(try !check("src host 10.0.0.2", tcp4))
        #expect(try check("dst host 10.0.0.2", tcp4))
        #expect(try !check("dst host 10.0.0.1", tcp4))
        #expect(try !check("host 10.0.0.1", arp))
        #expect(try !check("host 0.0.0.0", arp), "undecoded packets have zero addresses that must not match")
    }

    @Test func hostIPv6() throws {
        #expect(try check("host 2001:db8::1", tcp6))
        #expect(try check("dst host 2001:db8::2", tcp6))
        #expect(try !check("src host 2001:db8::2", tcp6))
        #expect(try !check("host ::ffff:10.0.0.1", tcp4), "an IPv4-mapped IPv6 address is not the IPv4 address")
        #expect(try !check("host 0.0.0.1", Decoded.ipv6("::1", "::2", protocol: 6)), "families never mix")
        #expect(try !check("host ::1", Decoded.ipv4("0.0.0.1", "0.0.0.2", protocol: 6)))
    }

    @Test func net() throws {
        #expect(try check("net 10.0.0.0/8", tcp4))
        #expect(try check("net 10.0.0.0/31", tcp4))
        #expect(try !check("src net 10.0.0.2/31", tcp4))
        #expect(try check("dst net 10.0.0.2/31", tcp4))
        #expect(try check("net 192.168.0.0 mask 255.255.0.0", udp4))
        #expect(try check("dst net 192.168.0.0 mask 255.255.0.0", udp4))
        #expect(try !check("src net 192.168.0.0 mask 255.255.0.0", udp4))
        #expect(try check("net 0.0.0.0/0", tcp4))
        #expect(try !check("net 0.0.0.0/0", tcp6), "an IPv4 prefix never matches IPv6")
        #expect(try check("net ::/0", tcp6))
        #expect(try !check("net ::/0", tcp4))
        #expect(try check("net 2001:db8::/32", tcp6))
        #expect(try check("dst net ff00::/8", icmpv6))
        #expect(try !check("dst net fe00::/8", icmpv6))
        #expect(try !check("src net fe00::/8", Decoded.ipv6("2001:db8::1", "fe80::1", protocol: 6)))
        #expect(try check("net 2001:db8::/127", tcp6))
        #expect(try !check("net 2001:db8::/128", tcp6))
        #expect(try !check("net 0.0.0.0/0", arp))
    }

    @Test func port() throws {
        #expect(try check("port 80", tcp4))
        #expect(try check("port 1234", tcp4))
        #expect(try check("src port 1234", tcp4))
        #expect(try !check("src port 80", tcp4))
        #expect(try check("dst port 80", tcp4))
        #expect(try check("port 53", udp4))
        #expect(try check("port 443", tcp6))
        #expect(try check("dst port 50000", tcp6))
        #expect(try !check("port 0", icmp4), "ICMP has no ports, zero or otherwise")
        #expect(try !check("port 0", arp))
        let sctp = Decoded.ipv6("::1", "::2", protocol: 132, ports: (9, 80))
        #expect(try check("port 80", sctp))
    }

    @Test func portNeedsDecodedPortsIPv4Fragments() throws {
        let first = Decoded.ipv4("10.0.0.1", "10.0.0.2", protocol: 6, ports: (1234, 80), fragment: .first)
        let later = Decoded.ipv4("10.0.0.1", "10.0.0.2", protocol: 6, ports: (1234, 80), fragment: .later)
        #expect(try check("port 80", first), "tcpdump matches ports in first fragments (offset 0)")
        #expect(try !check("port 80", later), "later fragments carry no ports")
        #expect(try check("tcp", later), "IPv4 protocol is in every fragment")
        #expect(try check("host 10.0.0.1 and not port 80", later))
    }

    @Test func portOnIPv6OnlyWithoutExtensionHeaders() throws {
        // libpcap reads IPv6 ports at a fixed offset after the 40-byte header.
        let hopByHop = Decoded.ipv6("::1", "::2", protocol: 17, firstNextHeader: 0, ports: (53, 53))
        let firstFragment = Decoded.ipv6("::1", "::2", protocol: 6, firstNextHeader: 44, ports: (80, 1234), fragment: .first)
        let laterFragment = Decoded.ipv6("::1", "::2", protocol: 6, firstNextHeader: 44, fragment: .later)
        #expect(try !check("port 53", hopByHop))
        #expect(try !check("port 80", firstFragment))
        #expect(try !check("port 80", laterFragment))
    }

    @Test func ipProtocolIPv4() throws {
        #expect(try check("tcp", tcp4))
        #expect(try !check("udp", tcp4))
        #expect(try check("udp", udp4))
        #expect(try check("ip proto 6", tcp4))
        #expect(try check("ip proto 1", icmp4))
        #expect(try check("icmp", icmp4))
        #expect(try !check("icmp6", icmp4))
        let esp = Decoded.ipv4("1.1.1.1", "2.2.2.2", protocol: 50)
        #expect(try check("ip proto 50", esp))
        #expect(try !check("ip proto 51", esp))
        #expect(try !check("ip proto 0", arp), "undecoded packets have protocol 0 that must not match")
        var unknownProtocol = Decoded.ipv4("1.1.1.1", "2.2.2.2", protocol: 0)
        unknownProtocol.hasIPProtocol = false
        #expect(try !check("ip proto 0", unknownProtocol))
    }

    @Test func ipProtocolIPv6FollowsLibpcap() throws {
        #expect(try check("tcp", tcp6))
        #expect(try check("ip proto 6", tcp6))
        #expect(try check("icmp6", icmpv6))
        #expect(try check("ip proto 58", icmpv6))
        #expect(try !check("icmp", icmpv6))
        // A fragment header right after the fixed header is looked through…
        let firstFragment = Decoded.ipv6("::1", "::2", protocol: 6, firstNextHeader: 44, ports: (80, 1234), fragment: .first)
        let laterFragment = Decoded.ipv6("::1", "::2", protocol: 17, firstNextHeader: 44, fragment: .later)
        #expect(try check("tcp", firstFragment))
        #expect(try check("udp", laterFragment))
        #expect(try check("ip proto 44", laterFragment), "the fragment header itself matches too")
        // …but no other extension header is.
        let hopByHop = Decoded.ipv6("::1", "::2", protocol: 17, firstNextHeader: 0, ports: (53, 53))
        let destinationOptions = Decoded.ipv6("::1", "::2", protocol: 6, firstNextHeader: 60, ports: (80, 80))
        #expect(try !check("udp", hopByHop))
        #expect(try check("ip proto 0", hopByHop))
        #expect(try !check("tcp", destinationOptions))
        #expect(try check("ip proto 60", destinationOptions))
    }

    @Test func ipVersion() throws {
        #expect(try check("ip", tcp4))
        #expect(try !check("ip6", tcp4))
        #expect(try check("ip6", tcp6))
        #expect(try !check("ip", tcp6))
        #expect(try !check("ip or ip6", arp))
        #expect(try check("ip", Decoded.other(etherType: 0x0800)), "tcpdump's `ip` is the EtherType alone")
        #expect(try check("ip6", Decoded.other(etherType: 0x86DD)))
    }

    @Test func vlan() throws {
        var packet = tcp4
        #expect(try !check("vlan 0", packet), "untagged packets have no VLAN, not VLAN 0")
        packet.vlanIDs = (100, 200, 0, 0)
        packet.vlanCount = 2
        #expect(try check("vlan 100", packet))
        #expect(try check("vlan 200", packet))
        #expect(try !check("vlan 0", packet))
        #expect(try !check("vlan 300", packet))
        #expect(try check("vlan 200 and host 10.0.0.1 and port 80", packet), "tags are looked through")
        packet.vlanIDs = (1, 2, 3, 4)
        packet.vlanCount = 6
        #expect(try check("vlan 4", packet))
        #expect(try !check("vlan 5", packet))
        packet.vlanIDs = (7, 0, 0, 9)
        packet.vlanCount = 1
        #expect(try !check("vlan 9", packet), "only the first vlanCount IDs count")
    }

    @Test func mpls() throws {
        var packet = udp4
        #expect(try !check("mpls 0", packet))
        packet.mplsLabels = (16, 1_048_575, 0, 0)
        packet.mplsCount = 2
        #expect(try check("mpls 16", packet))
        #expect(try check("mpls 1048575", packet))
        #expect(try !check("mpls 0", packet))
        #expect(try check("mpls 16 and udp and port 53", packet))
        packet.mplsLabels = (1, 2, 3, 4)
        packet.mplsCount = 4
        #expect(try check("mpls 4", packet))
    }

    @Test func timeBoundsAfterInclusiveBeforeExclusive() throws {
        let boundary = utc(2012, 11, 3, 11, 5)
        let justBefore = boundary.advanced(byNanoseconds: -1)
        #expect(try check("after 2012-11-03T11:05:00Z", tcp4, at: boundary))
        #expect(try !check("after 2012-11-03T11:05:00Z", tcp4, at: justBefore))
        #expect(try !check("before 2012-11-03T11:05:00Z", tcp4, at: boundary))
        #expect(try check("before 2012-11-03T11:05:00Z", tcp4, at: justBefore))
        #expect(try check("after 1m ago and before 0s ago", tcp4, at: testNow.advanced(byNanoseconds: -60_000_000_000)))
        #expect(try !check("after 1m ago and before 0s ago", tcp4, at: testNow))
        #expect(try check("after 2012-11-03T11:05:00Z", arp, at: boundary), "time applies to every packet")
    }

    @Test func booleanOperators() throws {
        #expect(try check("tcp and port 80", tcp4))
        #expect(try !check("tcp and port 53", tcp4))
        #expect(try check("tcp or port 53", udp4))
        #expect(try !check("not tcp", tcp4))
        #expect(try check("not tcp", arp))
        #expect(try check("not not tcp", tcp4))
        #expect(try check("udp or tcp and port 9", udp4), "and binds tighter: udp or (tcp and port 9)")
        #expect(try !check("(udp or tcp) and port 9", udp4))
        #expect(try check("not (host 10.0.0.1 or host 10.0.0.2) and ip", udp4))
    }
}
