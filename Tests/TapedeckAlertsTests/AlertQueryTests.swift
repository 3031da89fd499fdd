import Testing
import TapedeckCore
import TapedeckQuery
@testable import TapedeckAlerts

@Suite("Alert queries")
struct AlertQueryTests {
    static let ftp = EVEAlert(
        timestamp: TimeText.parseTime("2019-03-14T19:04:03.371057Z")!, flowStart: TimeText.parseTime("2019-03-14T19:03:54.892296Z"),
        flowID: 736_158_315_449_115, source: IPAddress("192.168.1.212")!, destination: IPAddress("90.130.70.73")!,
        sourcePort: 50694, destinationPort: 21, ipProtocol: 6)

    @Test(arguments: [
        (AlertGranularity.flow, "src host 192.168.1.212 and src port 50694 and dst host 90.130.70.73 and dst port 21 and tcp "
            + "or src host 90.130.70.73 and src port 21 and dst host 192.168.1.212 and dst port 50694 and tcp"),
        (.hosts, "host 192.168.1.212 and host 90.130.70.73"),
        (.src, "host 192.168.1.212"),
        (.dst, "host 90.130.70.73"),
    ])
    func selectsByGranularity(_ granularity: AlertGranularity, _ text: String) {
        #expect(AlertQuery(granularity: granularity).selection(for: Self.ftp).description == text)
    }

    @Test func padsFromTheFlowStartToAfterTheAlert() {
        let query = AlertQuery(granularity: .src, paddingBefore: 60_000_000_000, paddingAfter: 30_000_000_000)
        #expect(query.expression(for: Self.ftp).description
            == "host 192.168.1.212 and after 2019-03-14T19:02:54.892296Z and before 2019-03-14T19:04:33.371057Z")
        var withoutStart = Self.ftp
        withoutStart.flowStart = nil
        #expect(query.window(of: withoutStart).start == TimeText.parseTime("2019-03-14T19:03:03.371057Z"))
    }

    @Test func portlessProtocolsSelectTheHostsAndProtocol() {
        let icmp = EVEAlert(timestamp: Timestamp(nanoseconds: 0), source: IPAddress("2001:db8::1")!, destination: IPAddress("2001:db8::2")!,
                            sourcePort: nil, destinationPort: nil, ipProtocol: 58)
        #expect(AlertQuery().selection(for: icmp).description == "host 2001:db8::1 and host 2001:db8::2 and ip proto 58")
    }

    @Test func aFlowWithEqualEndsIsOneDirection() {
        let loop = EVEAlert(timestamp: Timestamp(nanoseconds: 0), source: IPAddress("10.0.0.1")!, destination: IPAddress("10.0.0.1")!,
                            sourcePort: 53, destinationPort: 53, ipProtocol: 17)
        #expect(AlertQuery().selection(for: loop).description == "src host 10.0.0.1 and src port 53 and dst host 10.0.0.1 and dst port 53 and udp")
        #expect(AlertQuery(granularity: .hosts).selection(for: loop).description == "host 10.0.0.1")
    }

    @Test func theUnionOfSeveralAlertsIsBoundedByTheirWindows() throws {
        var second = Self.ftp
        second.timestamp = second.timestamp.advanced(byNanoseconds: 600_000_000_000)
        second.flowStart = nil
        let query = AlertQuery(granularity: .hosts)
        let expression = try #require(query.expression(for: [Self.ftp, second, Self.ftp]))
        let window = query.window(of: [Self.ftp, second])
        #expect(expression.timeWindow == window)
        #expect(window.start == TimeText.parseTime("2019-03-14T19:02:54.892296Z"))
        #expect(window.end == TimeText.parseTime("2019-03-14T19:15:03.371057Z"))
        // The repeated alert counts once: two alerts, one `or`.
        #expect(expression.description.components(separatedBy: " or ").count == 2)
        // It parses back to the same query.
        #expect(try QueryExpression.parse(expression.description, now: Timestamp(nanoseconds: 0)) == expression)
        #expect(query.expression(for: []) == nil)
        #expect(query.expression(for: [Self.ftp]) == query.expression(for: Self.ftp))
    }
}
