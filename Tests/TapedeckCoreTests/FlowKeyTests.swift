import Testing
import TapedeckCore

@Suite("FiveTuple and FlowKey")
struct FlowKeyTests {
    static func tuple(_ proto: UInt8, _ source: String, _ sourcePort: UInt16, _ destination: String,
                      _ destinationPort: UInt16) -> FiveTuple {
        FiveTuple(ipProtocol: proto, source: IPAddress(source)!, destination: IPAddress(destination)!,
                  sourcePort: sourcePort, destinationPort: destinationPort)
    }

    static func reversed(_ tuple: FiveTuple) -> FiveTuple {
        FiveTuple(ipProtocol: tuple.ipProtocol, source: tuple.destination, destination: tuple.source,
                  sourcePort: tuple.destinationPort, destinationPort: tuple.sourcePort)
    }

    @Test("both directions of a flow have the same key and stable hash")
    func symmetry() {
        let tuples = [
            Self.tuple(6, "10.0.0.2", 51000, "10.0.0.1", 443),
            Self.tuple(17, "2001:db8::1", 53, "2001:db8::2", 5353),
            Self.tuple(6, "10.0.0.1", 80, "10.0.0.1", 1234),  // same address: ordered by port
            Self.tuple(1, "192.0.2.1", 0, "::1", 0),  // mixed families (never on the wire, still symmetric)
            Self.tuple(6, "10.0.0.1", 7, "10.0.0.1", 7),
        ]
        for tuple in tuples {
            #expect(tuple.flowKey == Self.reversed(tuple).flowKey, "\(tuple)")
            #expect(tuple.flowKey.stableHash == Self.reversed(tuple).flowKey.stableHash, "\(tuple)")
            let canonical = tuple.flowKey.canonical
            #expect((canonical.source, canonical.sourcePort) <= (canonical.destination, canonical.destinationPort))
        }
    }

    @Test("the key tells flows apart by protocol, address and port")
    func distinct() {
        let base = Self.tuple(6, "10.0.0.1", 1000, "10.0.0.2", 80)
        let others = [Self.tuple(17, "10.0.0.1", 1000, "10.0.0.2", 80), Self.tuple(6, "10.0.0.3", 1000, "10.0.0.2", 80),
                      Self.tuple(6, "10.0.0.1", 1001, "10.0.0.2", 80), Self.tuple(6, "10.0.0.1", 80, "10.0.0.2", 1000),
                      Self.tuple(6, "::a00:1", 1000, "::a00:2", 80)]
        for other in others {
            #expect(other.flowKey != base.flowKey && other.flowKey.stableHash != base.flowKey.stableHash, "\(other)")
        }
    }

    @Test("the stable hash is the same in every process and release")
    func stableHashValue() {
        // FNV-1a over the documented field order (computed independently in Python); pinned so that
        // stored indexes stay readable.
        #expect(Self.tuple(6, "10.0.0.1", 1000, "10.0.0.2", 80).flowKey.stableHash == 0x924A_03DD_0148_4879)
    }

    @Test("the description shows direction, with IPv6 in brackets")
    func description() {
        #expect(Self.tuple(6, "10.0.0.1", 1000, "10.0.0.2", 80).description == "6 10.0.0.1:1000 > 10.0.0.2:80")
        #expect(Self.tuple(17, "2001:db8::1", 53, "::1", 5353).description == "17 [2001:db8::1]:53 > [::1]:5353")
    }
}
