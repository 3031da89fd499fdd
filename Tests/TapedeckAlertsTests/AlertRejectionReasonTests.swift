import Testing
import TapedeckCore
@testable import TapedeckAlerts

/// Every alert that cannot be served has a reason to be counted under; the traps of real EVE
/// input (IPv6 fully expanded, offsets without a colon, ICMP without ports) are served.
@Suite("Alert rejection reasons")
struct AlertRejectionReasonTests {
    static let base = #""timestamp":"2004-05-13T10:17:09.123830+0000","src_ip":"10.0.0.1","dest_ip":"10.0.0.2""#

    @Test(arguments: [
        ("{\(base),\"proto\":\"FOO\"}", AlertError.Reason.unknownProtocol),
        ("{\(base),\"proto\":300}", .unknownProtocol),
        (#"{"timestamp":"2004-05-13 10:17","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"TCP"}"#, .invalidTimestamp),
        (#"{"src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"TCP"}"#, .missingField),
        ("{\(base)}", .missingField),
        (#"{"timestamp":"2004-05-13T10:17:09Z","src_ip":"10.0.0","dest_ip":"10.0.0.2","proto":"TCP"}"#, .invalidAddress),
        (#"{"timestamp":"2004-05-13T10:17:09Z","src_ip":"10.0.0.1","dest_ip":"::1","proto":"TCP"}"#, .invalidAddress),
        ("{\(base),\"proto\":\"TCP\",\"src_port\":70000}", .invalidPort),
        ("{\(base),\"proto\":\"TCP\",\"flow_id\":\"x\"}", .invalidField),
        ("{\(base),\"proto\":\"UDP\",\"event_type\":\"dns\"}", .notAnAlert),
        ("{\(base),\"proto\":\"TCP\"", .malformedJSON),
    ])
    func countsEachBadAlertUnderItsReason(_ json: String, _ reason: AlertError.Reason) {
        #expect {
            try EVEReader.alerts(in: Array(json.utf8))
        } throws: { error in
            (error as? AlertError)?.reason == reason
        }
    }

    @Test func servesIPv6IcmpWithoutPortsAndSuricataTimestamps() throws {
        let json = #"{"timestamp":"2004-05-13T10:17:09.123830+0000","event_type":"alert","src_ip":"2a00:1450:4007:080a:0000:0000:0000:200a","dest_ip":"2001:0db8:0000:0000:0000:0000:0000:0001","proto":"IPv6-ICMP"}"#
        let alert = try #require(try EVEReader.alerts(in: Array(json.utf8)).first)
        #expect(alert.source == IPAddress("2a00:1450:4007:80a::200a"))
        #expect(alert.sourcePort == nil)
        #expect(alert.ipProtocol == 58)
        #expect(alert.timestamp == Timestamp(seconds: 1_084_443_429, nanoseconds: 123_830_000))
        #expect(AlertQuery().selection(for: alert).description
            == "host 2a00:1450:4007:80a::200a and host 2001:db8::1 and ip proto 58")
    }

    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // A million 'a's: many whole blocks, the padding in a block of its own.
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000))
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 55)) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 64)) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }

    @Test func theAcceleratedAndPortableDigestsAgree() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let bytes = (0..<200_003).map { _ -> UInt8 in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 4096, 200_003] {
            let prefix = Array(bytes[..<length])
            #expect(SHA256.hex(prefix) == SHA256.portableHex(prefix), "\(length) bytes")
        }
        #expect(SHA256.portableHex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
