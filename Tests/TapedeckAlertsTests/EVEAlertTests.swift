import Foundation
import Testing
import TapedeckCore
import TapedeckQuery
@testable import TapedeckAlerts

@Suite("Suricata EVE alerts")
struct EVEAlertTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/alerts")

    private func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent(name)))
    }

    private func alert(_ json: String) throws -> EVEAlert {
        let alerts = try EVEReader.alerts(in: Array(json.utf8))
        #expect(alerts.count == 1)
        return alerts[0]
    }

    @Test func readsTheRealFTPAlert() throws {
        let alerts = try EVEReader.alerts(in: try fixture("ftp.eve.json"))
        #expect(alerts.count == 1)
        let alert = alerts[0]
        #expect(alert.timestamp == TimeText.parseTime("2019-03-14T19:04:03.371057Z"))
        #expect(alert.flowStart == TimeText.parseTime("2019-03-14T19:03:54.892296Z"))
        #expect(alert.flowID == 736_158_315_449_115)
        #expect(alert.source == IPAddress("192.168.1.212"))
        #expect(alert.destination == IPAddress("90.130.70.73"))
        #expect(alert.sourcePort == 50694)
        #expect(alert.destinationPort == 21)
        #expect(alert.ipProtocol == 6)
        #expect(alert.signatureID == 9_000_004)
        #expect(alert.signature == "TAPEDECK-TEST FTP USER command")
    }

    @Test func readsRealNDJSON() throws {
        let alerts = try EVEReader.alerts(in: try fixture("no_sni.eve.json"))
        #expect(alerts.count == 3)
        #expect(alerts.map(\.sourcePort) == [51606, 51635, 51636])
        #expect(alerts.allSatisfy { $0.ipProtocol == 6 && $0.destinationPort == 443 })
    }

    @Test func readsArraysOfAlerts() throws {
        let ndjson = String(decoding: try fixture("no_sni.eve.json"), as: UTF8.self)
        let array = "[" + ndjson.split(separator: "\n").joined(separator: ",") + "]"
        #expect(try EVEReader.alerts(in: Array(array.utf8)) == EVEReader.alerts(in: try fixture("no_sni.eve.json")))
    }

    @Test func readsFullyExpandedIPv6() throws {
        let alert = try alert(#"{"timestamp":"2020-11-13T18:21:24.551829+0000","src_ip":"2a00:1450:4007:080a:0000:0000:0000:200a","#
            + #""src_port":443,"dest_ip":"2a01:0e0a:0000:0000:0000:0000:0000:0001","dest_port":51234,"proto":"TCP"}"#)
        #expect(alert.source == IPAddress("2a00:1450:4007:80a::200a"))
        #expect(alert.destination == IPAddress("2a01:e0a::1"))
        #expect(alert.source.description == "2a00:1450:4007:80a::200a")
    }

    @Test(arguments: [
        ("2020-11-13T18:21:24.551829+0000", "2020-11-13T18:21:24.551829Z"),
        ("2020-11-13T19:21:24.551829+0100", "2020-11-13T18:21:24.551829Z"),
        ("2020-11-13T18:21:24.551829-05:30", "2020-11-13T23:51:24.551829Z"),
        ("2020-11-13T18:21:24Z", "2020-11-13T18:21:24Z"),
    ])
    func readsSuricataTimestamps(_ text: String, _ utc: String) throws {
        let alert = try alert(#"{"timestamp":"\#(text)","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"ICMP"}"#)
        #expect(alert.timestamp == TimeText.parseTime(utc))
    }

    @Test(arguments: [
        (#""TCP""#, UInt8(6)), (#""UDP""#, 17), (#""ICMP""#, 1), (#""IPv6-ICMP""#, 58), (#""SCTP""#, 132),
        (#""udp""#, 17), (#""GRE""#, 47), ("17", 17), (#""17""#, 17), ("0", 0), ("255", 255),
    ])
    func readsProtocolNamesAndNumbers(_ proto: String, _ number: UInt8) throws {
        let alert = try alert(#"{"timestamp":"2020-11-13T18:21:24Z","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":\#(proto)}"#)
        #expect(alert.ipProtocol == number)
        #expect(alert.sourcePort == nil && alert.destinationPort == nil)
    }

    @Test(arguments: [
        (#"{"src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"TCP"}"#, "missing 'timestamp'"),
        (#"{"timestamp":"2020-13-13T18:21:24Z","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"TCP"}"#, "'timestamp' is not a time"),
        (#"{"timestamp":"2020-11-13T18:21:24Z","src_ip":"10.0.0","dest_ip":"10.0.0.2","proto":"TCP"}"#, "'src_ip' is not an IP address"),
        (#"{"timestamp":"2020-11-13T18:21:24Z","src_ip":"10.0.0.1","dest_ip":"::1","proto":"TCP"}"#, "different IP versions"),
        (#"{"timestamp":"2020-11-13T18:21:24Z","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"FOO"}"#, "'proto' \"FOO\" is not a known"),
        (#"{"timestamp":"2020-11-13T18:21:24Z","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":300}"#, "'proto' 300"),
        (#"{"timestamp":"2020-11-13T18:21:24Z","src_ip":"10.0.0.1","dest_ip":"10.0.0.2"}"#, "missing 'proto'"),
        (#"{"timestamp":"2020-11-13T18:21:24Z","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"TCP","src_port":70000}"#, "'src_port' is not a port"),
        (#"{"timestamp":"2020-11-13T18:21:24Z","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"TCP","dest_port":"80"}"#, "'dest_port' is not a port"),
        (#"{"timestamp":"2020-11-13T18:21:24Z","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"TCP","flow_id":"x"}"#, "'flow_id' must be an integer"),
        (#"{"event_type":"dns","timestamp":"2020-11-13T18:21:24Z","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"UDP"}"#, "not \"alert\""),
        (#"{"timestamp":"2020-11-13T18:21:24Z","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"TCP","alert":{"signature":5}}"#, "'alert.signature' must be a string"),
        (#"{"timestamp":"2020-11-13T18:21:24Z","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"TCP","flow":[]}"#, "'flow' must be an object"),
        (#"[1]"#, "must be a JSON object"),
        (#"[]"#, "no alert"),
        ("  \n", "no alert"),
    ])
    func rejectsBadAlertsWithAReason(_ json: String, _ message: String) {
        #expect {
            try EVEReader.alerts(in: Array(json.utf8))
        } throws: { error in
            (error as? AlertError)?.message.contains(message) ?? false
        }
    }

    @Test func namesTheBadAlertOfSeveral() {
        let good = #"{"timestamp":"2020-11-13T18:21:24Z","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","proto":"TCP"}"#
        let bad = #"{"timestamp":"2020-11-13T18:21:24Z","src_ip":"10.0.0.1","dest_ip":"10.0.0.2"}"#
        #expect {
            try EVEReader.alerts(in: Array("\(good)\n\(good)\n\(bad)\n".utf8))
        } throws: { error in
            (error as? AlertError)?.alertIndex == 2
        }
        #expect {
            try EVEReader.alerts(in: Array("\(good)\n{\"timestamp\" 1}".utf8))
        } throws: { error in
            guard let error = error as? AlertError else { return false }
            return error.offset == good.utf8.count + 14 && error.alertIndex == 1 && error.message.hasPrefix("invalid JSON")
        }
    }
}
