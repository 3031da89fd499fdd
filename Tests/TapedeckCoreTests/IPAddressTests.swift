import Testing
import TapedeckCore

@Suite("IPAddress")
struct IPAddressTests {
    @Test("IPv4 text parses to its value and prints back", arguments: [
        ("0.0.0.0", UInt32(0)), ("10.0.0.1", 0x0A00_0001), ("192.168.5.44", 0xC0A8_052C), ("255.255.255.255", 0xFFFF_FFFF),
    ])
    func ipv4(text: String, value: UInt32) throws {
        let address = try #require(IPAddress(text))
        #expect(address == IPAddress(ipv4: value) && address.ipv4Value == value && !address.isIPv6 && address.bitWidth == 32)
        #expect(address.description == text)
    }

    @Test("IPv6 text in any accepted form parses and prints in RFC 5952 form", arguments: [
        ("2a00:1450:4007:080a:0000:0000:0000:200a", "2a00:1450:4007:80a::200a"),  // Suricata EVE, fully expanded
        ("2A00:1450:4007:80A::200A", "2a00:1450:4007:80a::200a"),
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
        ("0:0:0:0:0:ffff:102:304", "::ffff:1.2.3.4"),
        ("::1.2.3.4", "::102:304"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),  // the first of two equal zero runs
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),  // the longest zero run
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),  // a single zero group stays
        ("fe80::1:2:3:4", "fe80::1:2:3:4"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
    ])
    func ipv6(text: String, canonical: String) throws {
        let address = try #require(IPAddress(text))
        #expect(address.isIPv6 && address.bitWidth == 128 && address.ipv4Value == nil)
        #expect(address.description == canonical)
        #expect(IPAddress(canonical) == address)
    }

    @Test("the halves hold the address in network order")
    func halves() throws {
        let address = try #require(IPAddress("2a00:1450:4007:080a:0000:0000:0000:200a"))
        #expect(address.high == 0x2A00_1450_4007_080A && address.low == 0x200A)
        #expect(IPAddress(ipv6High: 0, low: 0xFFFF_0102_0304) == IPAddress("::ffff:1.2.3.4"))
    }

    @Test("malformed text is rejected", arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "1..2.3", "01234.1.1.1", "1.2.3.4 ", " 1.2.3.4", "a.b.c.d",
        "١.٢.٣.٤",  // Arabic-Indic digits
        ":", ":::", "1:2", "1::2::3", "12345::", "g::", "+1::", "-0::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::",
        "::ffff:1.2.3", "::ffff:1.2.3.256", "1.2.3.4::", "::1.2.3.4:5", ":1::2", "1::2:", "fe80::1%eth0", "[::1]",
        "１::",  // a fullwidth digit
    ])
    func rejects(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test("all IPv4 addresses sort before IPv6, each family numerically")
    func order() throws {
        let sorted = try ["0.0.0.0", "9.255.255.255", "10.0.0.0", "255.255.255.255", "::", "::1", "::ffff:0.0.0.0",
                          "2001:db8::", "ffff::"].map { try #require(IPAddress($0)) }
        #expect(sorted.shuffled().sorted() == sorted)
    }

    @Test("prefix ranges cover exactly the addresses sharing the prefix")
    func prefixRanges() throws {
        func range(_ text: String, _ length: Int) throws -> (String, String) {
            let range = try #require(IPAddress(text)).prefixRange(length: length)
            return (range.lowerBound.description, range.upperBound.description)
        }
        #expect(try range("10.1.2.3", 8) == ("10.0.0.0", "10.255.255.255"))
        #expect(try range("10.1.2.3", 32) == ("10.1.2.3", "10.1.2.3"))
        #expect(try range("10.1.2.3", 0) == ("0.0.0.0", "255.255.255.255"))
        #expect(try range("10.1.2.3", 33) == ("10.1.2.3", "10.1.2.3"))
        #expect(try range("192.168.5.44", 23) == ("192.168.4.0", "192.168.5.255"))
        #expect(try range("2001:db8:1:2::5", 32) == ("2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"))
        #expect(try range("2001:db8:1:2::5", 64) == ("2001:db8:1:2::", "2001:db8:1:2:ffff:ffff:ffff:ffff"))
        #expect(try range("2001:db8:1:2:3:4:5:6", 96) == ("2001:db8:1:2:3:4::", "2001:db8:1:2:3:4:ffff:ffff"))
        #expect(try range("2001:db8::5", 128) == ("2001:db8::5", "2001:db8::5"))
        #expect(try range("2001:db8::5", 0) == ("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
        #expect(try range("2001:db8::5", -3) == ("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))
        // The IPv4 /8 range excludes its neighbours and IPv6 addresses.
        let ten = try #require(IPAddress("10.7.7.7")).prefixRange(length: 8)
        #expect(ten.contains(IPAddress("10.200.0.1")!) && !ten.contains(IPAddress("11.0.0.0")!)
                    && !ten.contains(IPAddress("9.255.255.255")!) && !ten.contains(IPAddress("::a00:1")!))
    }
}
