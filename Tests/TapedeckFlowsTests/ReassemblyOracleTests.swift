import Foundation
import TapedeckAlerts
import TapedeckCore
import TapedeckFlows
import Testing

/// Every TCP stream of the real captures, reassembled by the tracker, against what
/// `tshark -z follow,tcp,raw,N` reassembles (the golden files in `Tests/Fixtures/follow`, made by
/// `make-follow-golden.sh`): per direction the same bytes (length, SHA-256, first and last 16
/// bytes) and the same gaps.
///
/// Streams are matched to flows by endpoints and first-packet time; directions by endpoint
/// (tshark's node 0 is the sender of the stream's first packet, the tracker's client the sender of
/// the SYN). tshark has no timeouts, so the TCP timeouts are a day here: the tracker's flows are
/// then tshark's streams (a SYN with a new sequence number starts a new one in both). The three
/// documented exceptions are in ``Verdict`` and ``tsharkOmissions``.
@Suite("Reassembly oracle: tshark follow,tcp,raw")
struct ReassemblyOracleTests {
    static let fixtures = ["no_sni.pcap", "wechat.pcap", "ftp.pcap", "1kxun.pcap", "anyconnect-vpn-300.pcap",
                           "KakaoTalk_talk.pcap", "rdp.pcap"]

    static var oracleConfiguration: FlowTrackerConfiguration {
        var configuration = FlowTrackerConfiguration()
        configuration.tcpEstablishedTimeout = .seconds(86_400)
        configuration.tcpClosingTimeout = .seconds(86_400)
        configuration.tcpClosedLinger = .seconds(86_400)
        return configuration
    }

    @Test(arguments: fixtures)
    func fixture(_ name: String) throws {
        let report = try Self.compare(capture: Fixtures.path(name), golden: try Fixtures.text("follow/\(name).follow.tsv"))
        for problem in report.problems { Issue.record("\(name): \(problem)") }
        #expect(report.streams > 0)
        print("reassembly oracle: \(name): \(report)")
    }

    /// The other captures of `../shared/pcaps` (skipped when it is not there).
    static var sharedCaptures: [String] {
        let goldens = Fixtures.directory.appendingPathComponent("follow").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: goldens)) ?? []
        return names.filter { $0.hasPrefix("shared-") }.map { String($0.dropFirst(7).dropLast(11)) }.sorted()
    }

    @Test(arguments: sharedCaptures)
    func shared(_ name: String) throws {
        let path = Fixtures.sharedCaptures.appendingPathComponent(name).path
        guard FileManager.default.fileExists(atPath: path) else { return }
        let report = try Self.compare(capture: path, golden: try Fixtures.text("follow/shared-\(name).follow.tsv"))
        for problem in report.problems { Issue.record("\(name): \(problem)") }
        print("reassembly oracle: \(name): \(report)")
    }

    /// What comparing one capture found.
    struct Report: CustomStringConvertible {
        var streams = 0
        var bytes = 0
        var gaps = 0
        var unacknowledgedTails = 0
        var keepAliveOrigins = 0
        var tsharkOmissions = 0
        var problems: [String] = []

        var description: String {
            "\(streams) streams, \(bytes) bytes, \(gaps) gaps checked; exceptions: \(unacknowledgedTails) unacknowledged tails, "
                + "\(keepAliveOrigins) keep-alive origins, \(tsharkOmissions) tshark omissions; \(problems.count) mismatches"
        }
    }

    static func compare(capture path: String, golden text: String) throws -> Report {
        let tracker = FlowTracker(configuration: oracleConfiguration)
        var log = EventLog()
        try tracker.processCapture(path, into: &log)
        var flows: [String: [FlowSummary]] = [:]
        for flow in log.flows where flow.key.ipProtocol == 6 {
            flows[Self.pairKey(Self.endpoint(flow.key, client: true), Self.endpoint(flow.key, client: false)), default: []]
                .append(flow)
        }
        var report = Report()
        for golden in FollowGolden.parse(text) {
            report.streams += 1
            guard let flow = flows[Self.pairKey(golden.nodes[0], golden.nodes[1])]?
                .first(where: { $0.start.nanoseconds == golden.firstTime }) else {
                report.problems.append("\(golden): no flow starts at \(golden.firstTime)")
                continue
            }
            for node in 0..<2 {
                let direction: FlowDirection = golden.nodes[node] == Self.endpoint(flow.key, client: true)
                    ? .clientToServer : .serverToClient
                let expected = golden.sides[node]
                let data = flow.data(direction)
                let gaps = flow.gaps(direction).map { "\($0.position)+\($0.length)" }
                let expectedGaps = expected.gaps.map { "\($0.position)+\($0.length)" }
                report.bytes += data.count
                report.gaps += gaps.count
                if let digest = Self.tsharkOmissions["\((path as NSString).lastPathComponent) \(golden.stream) \(node)"],
                   expected.byteCount == 0, gaps.isEmpty, SHA256.hex(data) == digest {
                    report.tsharkOmissions += 1
                    continue
                }
                switch Self.verdict(data: data, gaps: gaps, expected: expected, expectedGaps: expectedGaps) {
                case .same:
                    break
                case .unacknowledgedTail:
                    report.unacknowledgedTails += 1
                case .keepAliveOrigin:
                    report.keepAliveOrigins += 1
                case .different:
                    let actual = "\(data.count) bytes \(SHA256.hex(data)) head \(Array(data.prefix(16)).hex) "
                        + "tail \(Array(data.suffix(16)).hex) gaps \(gaps)"
                    let wanted = "\(expected.byteCount) bytes \(expected.sha256) head \(expected.head) tail \(expected.tail) "
                        + "gaps \(expectedGaps)"
                    report.problems.append("\(golden), node \(node) (\(direction)): got \(actual), tshark \(wanted)")
                }
            }
        }
        return report
    }

    /// Exception 3: directions where tshark delivers nothing but the tracker delivers data
    /// without a gap, keyed "CAPTURE STREAM NODE", with the SHA-256 of what tcpflow 1.6 writes for
    /// them (`tcpflow -r CAPTURE -o DIR 'port PORT'`), which the tracker's bytes must match. Both
    /// exceptions at once: the first packet was a keep-alive probe, and nothing acknowledged the
    /// data after it, so tshark waits for its phantom 1-byte hole forever.
    static let tsharkOmissions = [
        // 192.168.1.103:58143 → 216.58.205.131:443: a probe, then 440 bytes with FIN, never acknowledged.
        "wechat.pcap 55 0": "baa8a0bf30a858de263b243e7d9dc5113589f82f7224fa1695ed890d0643d31f",
    ]

    /// How a reassembled direction compares with tshark's.
    enum Verdict {
        /// The same bytes and gaps.
        case same
        /// Exception 1: tshark never delivers out-of-order data that nothing acknowledged (its
        /// follow keeps it waiting for the hole until the end). The tracker delivers it when the
        /// flow ends, after a gap: tshark's bytes and gaps are then a prefix of the tracker's, and the
        /// tracker's next gap starts exactly where tshark's bytes end.
        case unacknowledgedTail
        /// Exception 2: the capture joined the connection mid-stream and the direction's first
        /// packet was a keep-alive probe (no payload, one below the next byte). tshark takes the
        /// probe's sequence number as the origin and reports "1 bytes missing" at offset 0 once
        /// the data after it is acknowledged; the tracker moves the origin past the probe. Same
        /// bytes, and tshark's gaps are the tracker's with a leading `0+1`.
        case keepAliveOrigin
        case different
    }

    static func verdict(data: [UInt8], gaps: [String], expected: FollowGolden.Side, expectedGaps: [String]) -> Verdict {
        let sameBytes = data.count == expected.byteCount && SHA256.hex(data) == expected.sha256
            && Array(data.prefix(16)).hex == (expected.head == "-" ? "" : expected.head)
            && Array(data.suffix(16)).hex == (expected.tail == "-" ? "" : expected.tail)
        if sameBytes, gaps == expectedGaps { return .same }
        if sameBytes, expectedGaps.first == "0+1", Array(expectedGaps.dropFirst()) == gaps { return .keepAliveOrigin }
        if data.count >= expected.byteCount, SHA256.hex(Array(data.prefix(expected.byteCount))) == expected.sha256,
           gaps.count > expectedGaps.count, Array(gaps.prefix(expectedGaps.count)) == expectedGaps,
           gaps[expectedGaps.count].hasPrefix("\(expected.byteCount)+") {
            return .unacknowledgedTail
        }
        return .different
    }

    /// `ADDRESS:PORT` of the client (or server) of `key`, as tshark prints a node.
    static func endpoint(_ key: FiveTuple, client: Bool) -> String {
        let (address, port) = client ? (key.source, key.sourcePort) : (key.destination, key.destinationPort)
        return address.isIPv6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    static func pairKey(_ a: String, _ b: String) -> String { a < b ? "\(a) \(b)" : "\(b) \(a)" }
}
