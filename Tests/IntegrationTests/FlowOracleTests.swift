import Foundation
import Testing

/// Every TCP and UDP conversation of each Ethernet, Linux SLL and BSD null fixture, carved by
/// `tapedeck query` and by tcpdump from the original file: the same packets (bytes, original
/// lengths, nanosecond times), in the same order once tcpdump's file order is stable-sorted by time.
///
/// All conversations of every file are checked, no subset: 288 (wechat 96, 1kxun 129,
/// anyconnect 29, KakaoTalk 20, no_sni 8, ftp 3, rdp 1, shuffled rdp 2), one `tapedeck query` and
/// one `tcpdump` each. A debug `tapedeck query` takes ~30 ms, so with 3 conversations at a time per
/// file (and the files in parallel) this suite takes ~10 s on two cores.
@Suite("Flow oracle: every conversation against tcpdump")
struct FlowOracleTests {
    /// A capture to check: a fixture, or one derived from a fixture.
    struct Capture: Sendable, CustomTestStringConvertible {
        var name: String
        var shuffled = false
        var testDescription: String { shuffled ? "\(name), shuffled" : name }
    }

    static let captures: [Capture] = [
        Capture(name: "no_sni.pcap"),              // Ethernet, out-of-order TCP segments
        Capture(name: "wechat.pcap"),              // Ethernet, IPv4 and IPv6, an hour long
        Capture(name: "1kxun.pcap"),               // pcapng, IPv6, retransmissions
        Capture(name: "KakaoTalk_talk.pcap"),      // Linux SLL
        Capture(name: "rdp.pcap"),                 // BSD null
        Capture(name: "anyconnect-vpn-300.pcap"),  // ICMP errors quoting TCP/UDP headers, ARP, IGMP
        Capture(name: "ftp.pcap"),                 // FTP control and data connections, 1.1 MB
        // All fixtures are in time order; this one is not (runs of 7 reversed, equal times).
        Capture(name: "rdp.pcap", shuffled: true),
    ]

    @Test(arguments: captures)
    func everyConversationMatchesTcpdump(_ capture: Capture) async throws {
        let scratch = try TemporaryDirectory("flows")
        let path = capture.shuffled ? try DerivedCaptures.shuffled(capture.name, into: scratch) : Fixtures.path(capture.name)
        let cli = try TapedeckCLI(in: scratch)
        try await cli.importSucceeding([path])

        let conversations = try await Tshark.conversations(path)
        #expect(conversations.count > 0, "tshark lists no conversation in \(capture)")

        let outcomes = try await boundedConcurrentMap(conversations, width: 3) { conversation in
            let (a, b, x, y) = (conversation.addressA, conversation.addressB, conversation.portA, conversation.portB)
            // Tapedeck has no `tcp port N`; `port X and port Y and tcp` is the same selection.
            async let tapedeck = cli.queryPackets("host \(a) and host \(b) and port \(x) and port \(y) and \(conversation.transport)")
            async let tcpdump = Tcpdump.filter(
                path, "host \(a) and host \(b) and \(conversation.transport) port \(x) and \(conversation.transport) port \(y)")
            return (conversation, try await tcpdump, try await tapedeck.packets)
        }

        var packets = 0
        var flowsWithPackets = 0
        var flowsOutOfOrder = 0
        var mismatches = 0
        for (conversation, oracle, actual) in outcomes {
            packets += oracle.count
            if !oracle.isEmpty { flowsWithPackets += 1 }
            if !PacketComparison.isTimeOrdered(oracle) { flowsOutOfOrder += 1 }
            if let difference = PacketComparison.difference(expected: PacketComparison.timeOrdered(oracle), actual: actual) {
                mismatches += 1
                Issue.record("\(capture), \(conversation): \(difference)")
            }
        }
        // Every conversation tshark lists has packets that tcpdump selects, so no comparison is vacuous.
        #expect(flowsWithPackets == conversations.count, "only \(flowsWithPackets) of \(conversations.count) conversations have packets")
        let input = try CaptureFile(path: path)
        print("flow oracle: \(capture.testDescription): \(conversations.count) conversations (\(flowsWithPackets) with packets, "
            + "\(packets) packets) checked, \(mismatches) mismatched; input \(PacketComparison.isTimeOrdered(input.packets) ? "in" : "NOT in") "
            + "time order, \(flowsOutOfOrder) flows out of order in tcpdump's output")
    }
}
