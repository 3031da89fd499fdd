import Testing
import TapedeckCore

/// The writer behind message headers writes the same text as `String(describing:)` and Swift's
/// own integer formatting.
@Suite struct ASCIIWriterTests {
    private func text(_ capacity: Int = 64, _ write: (inout ASCIIWriter) -> Void) -> String {
        String(ascii: capacity, write)
    }

    @Test(arguments: [Int64.min, -1_000_000_007, -1, 0, 7, 10, 99, 100, 1_234_567_890, Int64.max])
    func decimalMatchesSwift(_ value: Int64) {
        #expect(text { $0.write(decimal: value) } == String(value))
    }

    @Test func decimalOfUnsignedExtremes() {
        #expect(text { $0.write(decimal: UInt64.max) } == "18446744073709551615")
        #expect(text { $0.write(decimal: UInt8(255)) } == "255")
        #expect(text { $0.write(decimal: UInt16(0)) } == "0")
    }

    @Test func fixedWidthDigitsPadAndHexIsLowercase() {
        #expect(text { $0.write(42, digits: 5) } == "00042")
        #expect(text { $0.write(hexadecimal: 0xab_cdef, digits: 16) } == "0000000000abcdef")
        #expect(text { $0.write(hexadecimal: .max, digits: 16) } == "ffffffffffffffff")
    }

    @Test func timestampsAreRFC3339WithNanoseconds() {
        #expect(Timestamp(seconds: 1_700_000_000, nanoseconds: 5).description == "2023-11-14T22:13:20.000000005Z")
        #expect(Timestamp(nanoseconds: 0).description == "1970-01-01T00:00:00.000000000Z")
        #expect(Timestamp(nanoseconds: -1).description == "1969-12-31T23:59:59.999999999Z")
        #expect(Timestamp(nanoseconds: .max).description == "2262-04-11T23:47:16.854775807Z")
        #expect(Timestamp(nanoseconds: .max).description.utf8.count == Timestamp.descriptionLength)
    }

    @Test func addressesAndTuples() throws {
        let cases = ["0.0.0.0", "255.255.255.255", "10.0.0.1", "::ffff:192.0.2.1", "2001:db8::1", "::",
                     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"]
        for address in cases {
            #expect(text { $0.write(try! #require(IPAddress(address))) } == address)
            #expect(try #require(IPAddress(address)).description == address)
        }
        let widest = FiveTuple(ipProtocol: 255, source: try #require(IPAddress("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")),
                               destination: try #require(IPAddress("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe")),
                               sourcePort: 65535, destinationPort: 65534)
        #expect(widest.description.utf8.count == FiveTuple.maximumDescriptionLength)
        #expect(widest.description == "255 [ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535 > [ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe]:65534")
        let tuple = FiveTuple(ipProtocol: 6, source: try #require(IPAddress("10.0.0.1")),
                              destination: try #require(IPAddress("10.0.0.2")), sourcePort: 1234, destinationPort: 80)
        #expect(tuple.description == "6 10.0.0.1:1234 > 10.0.0.2:80")
    }
}
