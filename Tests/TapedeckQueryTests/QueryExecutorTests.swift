import TapedeckCore
import TapedeckStorage
import Testing
@testable import TapedeckQuery

/// RFC 3339 text for `offset` ns after ``Pool/start``.
private func at(_ offset: Int64) -> String {
    Timestamp(nanoseconds: Pool.start + offset).description
}

/// Planner and executor against stores written with `StoreWriter`: results equal a brute-force
/// filter over the written packets, in stable time order, while reading only candidate blocks.
@Suite("Planner and executor", .serialized)
struct QueryExecutorTests {
    /// 3000 packets of mixed traffic over about 3.3 s in ~11 segments of 300 ms, 4 KiB blocks.
    static func mixedStore(seed: UInt64 = 11) throws -> TestStore {
        try TestStore(mixedTraffic(count: 3000, seed: seed), blockSize: 4 << 10, segmentDuration: 300_000_000)
    }

    /// Checks `expression` on `store`: exact result, and no block holding a match is pruned.
    static func checkExact(_ store: TestStore, _ expression: QueryExpression, segments: [SegmentReader],
                           contents: [[[Int]]], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = store.bruteForce(expression)
        let result = try store.query(expression)
        #expect(firstDifference(result.packets, expected) == nil, "\(expression)", sourceLocation: sourceLocation)
        #expect(result.statistics.packetsMatched == expected.count, sourceLocation: sourceLocation)
        #expect(result.statistics.blocksRead == result.candidateBlockCount, sourceLocation: sourceLocation)
        #expect(!result.statistics.limitReached, sourceLocation: sourceLocation)
        // candidateBlocks ⊇ blocks that hold a match (contents: written-packet indices per block).
        for (segment, blocks) in zip(segments, contents) {
            let candidates = expression.candidateBlocks(in: segment)
            for (number, members) in blocks.enumerated() where !candidates.contains(number) {
                let missed = members.filter { expression.matches(store.decoded[$0], at: store.packets[$0].timestamp) }
                #expect(missed.isEmpty, "\(expression): segment \(segment.id) block \(number) pruned but holds a match",
                        sourceLocation: sourceLocation)
            }
        }
    }

    /// For every segment and block, the indices (into `store.packets`) of the packets it holds,
    /// identified by time and bytes (packets equal in both are interchangeable for matching).
    static func blockContents(_ store: TestStore, _ segments: [SegmentReader]) throws -> [[[Int]]] {
        struct Key: Hashable {
            var time: Int64
            var bytes: [UInt8]
        }
        var indexOfPacket: [Key: Int] = [:]
        for (index, packet) in store.packets.enumerated() { indexOfPacket[Key(time: packet.time, bytes: packet.bytes)] = index }
        return try segments.map { segment in
            try (0..<segment.blockCount).map { number in
                var members: [Int] = []
                try segment.forEachPacket(inBlock: number) { record in
                    members.append(indexOfPacket[Key(time: record.timestamp.nanoseconds, bytes: Array(record.bytes))]!)
                    return true
                }
                return members
            }
        }
    }

    // MARK: Exactness

    static let fixedQueries: [String] = [
        "host 10.0.0.1", "src host 10.0.0.2", "dst host 2001:db8::2", "host fe80::1", "host 10.9.9.9",
        "net 10.0.0.0/29", "net 10.0.0.0/8", "net 192.168.0.0 mask 255.255.0.0", "src net 2001:db8::/32",
        "dst net 2001:db8:0:1::/64", "net ::/0", "net 0.0.0.0/0",
        "port 53", "src port 443", "dst port 80", "port 9999", "port 40004",
        "ip proto 17", "ip proto 58", "ip proto 132", "ip proto 1", "ip proto 50",
        "tcp", "udp", "icmp", "icmp6", "ip", "ip6",
        "vlan 10", "vlan 4000", "vlan 30 and tcp", "vlan 99", "mpls 1000", "mpls 77", "mpls 16 or vlan 20", "mpls 5",
        "not tcp", "not host 10.0.0.1", "not (ip or ip6)", "not vlan 10 and not mpls 16",
        "host 10.0.0.1 or host 2001:db8::1", "host 10.0.0.1 and port 80", "src host 10.0.0.3 and dst port 22 or udp",
        "tcp port 443", "udp dst port 53", "tcp src port 40001", "not tcp port 80",
        "tcp and (port 80 or port 443) and not host 192.168.1.1",
        "after \(at(1_000_000_000))", "before \(at(500_000_000))",
        "after \(at(700_000_000)) and before \(at(1_900_000_000)) and tcp",
        "(after \(at(2_000_000_000)) or port 53) and not udp",
        "not (after \(at(1_000_000_000)) and before \(at(2_000_000_000)))",
        "after \(at(1_000_000_000)) and before \(at(1_000_000_000))",
        "after \(at(1_500_000_000)) and host 10.0.0.2 and host 10.0.0.6",
    ]

    @Test func fixedQueriesEqualBruteForce() throws {
        let store = try Self.mixedStore()
        let segments = try store.segments()
        #expect(segments.count >= 8)
        #expect(try store.blockCount() >= 100)
        let contents = try Self.blockContents(store, segments)
        for text in Self.fixedQueries {
            try Self.checkExact(store, try parse(text), segments: segments, contents: contents)
        }
        #expect(try store.query(try parse("not host 10.9.9.9")).packets.count == store.packets.count)
    }

    @Test func flowQueriesEqualBruteForce() throws {
        let store = try Self.mixedStore(seed: 12)
        let segments = try store.segments()
        let contents = try Self.blockContents(store, segments)
        var random = SplitMix64(state: 99)
        var checked = 0
        for index in stride(from: 0, to: store.packets.count, by: 97) {
            let packet = store.decoded[index]
            guard packet.hasPorts, packet.source != packet.destination else { continue }
            let (a, b, x, y) = (packet.source, packet.destination, packet.sourcePort, packet.destinationPort)
            let protocolName = packet.ipProtocol == 6 ? "tcp" : packet.ipProtocol == 17 ? "udp" : "ip proto \(packet.ipProtocol)"
            var texts = [
                "host \(a) and host \(b) and port \(x) and port \(y)",
                "host \(b) and port \(y) and host \(a) and port \(x) and \(protocolName)",
                "(host \(a) and port \(x)) and (\(protocolName) and (host \(b) and port \(y)))",
                "src host \(a) and dst host \(b) and src port \(x) and dst port \(y)",
                "host \(a) and host \(b) and port \(x) and port \(y) and after \(store.packets[index].timestamp)",
            ]
            if packet.ipProtocol == 6 || packet.ipProtocol == 17 {
                texts.append("host \(a) and host \(b) and \(protocolName) port \(x) and \(protocolName) port \(y)")
            }
            let text = texts.randomElement(using: &random)!
            let expression = try parse(text)
            let keys = QueryExpression.flowKeys(expression.conjuncts)
            #expect(keys != nil || x == y, "\(text)")
            try Self.checkExact(store, expression, segments: segments, contents: contents)
            #expect(!store.bruteForce(expression).isEmpty, "\(text)")
            checked += 1
        }
        #expect(checked > 10)
    }

    @Test("random queries equal brute force", arguments: [1, 2, 3] as [UInt64])
    func randomQueriesEqualBruteForce(seed: UInt64) throws {
        let store = try Self.mixedStore(seed: 20 + seed)
        let segments = try store.segments()
        let contents = try Self.blockContents(store, segments)
        var random = SplitMix64(state: seed)
        let times = store.packets.map(\.time)
        let generator = StoreQueries(packets: store.decoded, times: times.min()!...times.max()!)
        var nonEmpty = 0
        for _ in 0..<120 {
            let expression = generator.expression(depth: 3, using: &random)
            try Self.checkExact(store, expression, segments: segments, contents: contents)
            if !store.bruteForce(expression).isEmpty { nonEmpty += 1 }
        }
        #expect(nonEmpty > 30, "the generator should mostly produce queries with results")
    }

    // MARK: Ordering

    /// A batch for t = 100…200 s, then one for t = 50…150 s, every 250 ms: the second batch's
    /// segments overlap the first's, and the times 100…150 s occur twice.
    static func backwardsBatches() -> [StoredPacket] {
        var packets: [StoredPacket] = []
        let second: Int64 = 1_000_000_000
        for (batch, range) in [(0, 400...800), (1, 200...600)] as [(Int, ClosedRange<Int64>)] {
            for quarter in range {
                let sequence = UInt32(packets.count)
                let ports: (UInt16, UInt16) = quarter % 3 == 0 ? (53, 40000) : (443, 40001)
                let transport = ports.0 == 53 ? Frame.udp(ports.1, ports.0, payload: Frame.bigEndian(sequence))
                    : Frame.tcp(ports.1, ports.0, payload: Frame.bigEndian(sequence) + Array(repeating: 0x55, count: 100))
                let address = IPAddress(ipv4: 0x0A00_0000 | UInt32(batch + 1))
                let bytes = Frame.ethernet(Frame.ipv4(address, IPAddress("192.168.1.1")!, protocol: ports.0 == 53 ? 17 : 6, transport),
                                           etherType: 0x0800)
                packets.append(StoredPacket(time: Pool.start + quarter * second / 4, bytes: bytes))
            }
        }
        return packets
    }

    @Test("backwards batches come out in stable time order", arguments: [10_000_000_000, 1_000_000_000_000] as [Int64])
    func backwardsBatchesAreMergedInStableTimeOrder(segmentDuration: Int64) throws {
        let store = try TestStore(Self.backwardsBatches(), blockSize: 2 << 10, segmentDuration: segmentDuration)
        let segments = try store.segments()
        if segmentDuration == 10_000_000_000 {
            #expect(segments.count >= 15)
        } else {
            #expect(segments.count == 1)
            #expect(segments[0].isTimeOrdered == false)
        }
        let contents = try Self.blockContents(store, segments)
        let everything = try parse("not host 10.9.9.9")
        let result = try store.query(everything)
        #expect(result.packets.count == store.packets.count)
        #expect(zip(result.packets, result.packets.dropFirst()).allSatisfy { $0.time <= $1.time })
        // Equal times: the first batch's packet (written first) comes first.
        for (first, second) in zip(result.packets, result.packets.dropFirst()) where first.time == second.time {
            #expect(first.bytes[29] == 1 && second.bytes[29] == 2)
        }
        #expect(result.packets.filter { $0.time == Pool.start + 120_000_000_000 }.count == 2)
        let window = "after \(at(120_000_000_000)) and before \(at(140_000_000_000))"
        for text in ["not host 10.9.9.9", "udp", "tcp and host 10.0.0.2", "port 443 and \(window)", window,
                     "host 10.0.0.1 or \(window)", "not \(window)"] {
            try Self.checkExact(store, try parse(text), segments: segments, contents: contents)
        }
    }

    @Test func shuffledTimesWithinBlocksAreSortedStably() throws {
        var random = SplitMix64(state: 5)
        let packets = (0..<600).map { sequence in
            let time = Pool.start + Int64.random(in: 0..<50, using: &random) * 1_000_000
            let bytes = Frame.ethernet(Frame.ipv4(IPAddress("10.0.0.1")!, IPAddress("10.0.0.2")!, protocol: 17,
                                                  Frame.udp(1000, UInt16(sequence % 4), payload: Frame.bigEndian(UInt32(sequence)))),
                                       etherType: 0x0800)
            return StoredPacket(time: time, bytes: bytes)
        }
        let store = try TestStore(packets, blockSize: 2 << 10)
        let segments = try store.segments()
        let contents = try Self.blockContents(store, segments)
        for text in ["udp", "port 2", "not port 3", "after \(at(10_000_000)) and before \(at(20_000_000))"] {
            try Self.checkExact(store, try parse(text), segments: segments, contents: contents)
        }
    }

    // MARK: Pruning

    /// 400 flows of 10 packets each, interleaved at random: a flow's packets are spread over the
    /// store but sit in at most 10 blocks.
    static func manyFlows() -> [StoredPacket] {
        var random = SplitMix64(state: 3)
        var order = (0..<4000).map { $0 % 400 }
        order.shuffle(using: &random)
        return order.enumerated().map { sequence, flow in
            let client = IPAddress(ipv4: 0x0A01_0000 | UInt32(flow / 200) << 8 | UInt32(flow % 200 + 1))
            let server = IPAddress(ipv4: 0xC0A8_0001 + UInt32(flow % 3))
            let clientPort = UInt16(40000 + flow % 50)
            let serverPort: UInt16 = flow % 2 == 0 ? 80 : 443
            let payload = Frame.bigEndian(UInt32(sequence)) + Array(repeating: 0x42, count: Int.random(in: 100...300, using: &random))
            let (source, destination, sourcePort, destinationPort) = sequence % 2 == 0
                ? (client, server, clientPort, serverPort) : (server, client, serverPort, clientPort)
            let bytes = Frame.ethernet(Frame.ipv4(source, destination, protocol: 6, Frame.tcp(sourcePort, destinationPort, payload: payload)),
                                       etherType: 0x0800)
            return StoredPacket(time: Pool.start + Int64(sequence) * 1_000_000, bytes: bytes)
        }
    }

    @Test func singleFlowQueriesReadFewBlocks() throws {
        let store = try TestStore(Self.manyFlows(), blockSize: 4 << 10, segmentDuration: 1_000_000_000)
        let segments = try store.segments()
        let contents = try Self.blockContents(store, segments)
        let total = try store.blockCount()
        #expect(total > 200)
        for flow in [0, 7, 123, 201, 399] {
            let client = "10.1.\(flow / 200).\(flow % 200 + 1)"
            let server = "192.168.0.\(1 + flow % 3)"
            let serverPort = flow % 2 == 0 ? 80 : 443
            for text in ["host \(client) and host \(server) and port \(40000 + flow % 50) and port \(serverPort)",
                         "host \(server) and host \(client) and tcp port \(serverPort) and tcp port \(40000 + flow % 50)",
                         "host \(client)"] {
                let expression = try parse(text)
                let result = try store.query(expression)
                #expect(result.packets.count == 10, "\(text)")
                #expect(result.statistics.blocksRead <= 10, "\(text)")
                #expect(result.statistics.blocksRead * 10 < total, "\(text)")
                try Self.checkExact(store, expression, segments: segments, contents: contents)
            }
        }
        // `not` cannot be narrowed by an index of presence: every block is read, still exact.
        for text in ["not host 10.1.0.1", "not (tcp and port 80)", "not tcp"] {
            let result = try store.query(try parse(text))
            #expect(result.candidateBlockCount == total)
            #expect(result.statistics.blocksRead == total)
            try Self.checkExact(store, try parse(text), segments: segments, contents: contents)
        }
        // A time window prunes by block time ranges.
        let windowed = try store.query(try parse("after \(at(1_000_000_000)) and before \(at(1_100_000_000))"))
        #expect(windowed.packets.count == 100)
        #expect(windowed.statistics.blocksRead * 10 < total)
    }

    /// Every block holds both `A:X ↔ B:Z` and `A:W ↔ B:Y`, so each holds the addresses and
    /// ports of the flow `A:X ↔ B:Y`; only the flow section tells which blocks hold that flow.
    @Test func flowSectionNarrowsBeyondPerKeyIntersection() throws {
        let a = IPAddress("10.0.0.1")!, b = IPAddress("10.0.0.2")!
        var packets: [StoredPacket] = []
        for sequence in 0..<1200 {
            let ports: (UInt16, UInt16) = sequence == 600 || sequence == 601 ? (1111, 2222)
                : sequence % 2 == 0 ? (1111, 3333) : (4444, 2222)
            let payload = Frame.bigEndian(UInt32(sequence)) + Array(repeating: 0, count: 60)
            let bytes = Frame.ethernet(Frame.ipv4(a, b, protocol: 6, Frame.tcp(ports.0, ports.1, payload: payload)), etherType: 0x0800)
            packets.append(StoredPacket(time: Pool.start + Int64(sequence) * 1000, bytes: bytes))
        }
        let store = try TestStore(packets, blockSize: 2 << 10)
        let segments = try store.segments()
        #expect(segments.count == 1)
        let segment = try #require(segments.first)
        #expect(segment.blockCount > 20)
        let perKey = try parse("host 10.0.0.1 and host 10.0.0.2 and port 1111").candidateBlocks(in: segment)
        #expect(perKey.count == segment.blockCount)
        for text in ["host 10.0.0.1 and host 10.0.0.2 and port 1111 and port 2222",
                     "host 10.0.0.2 and host 10.0.0.1 and tcp port 2222 and tcp port 1111",
                     "host 10.0.0.1 and (host 10.0.0.2 and tcp dst port 2222) and tcp src port 1111",
                     "src host 10.0.0.1 and dst host 10.0.0.2 and src port 1111 and dst port 2222 and tcp"] {
            let expression = try parse(text)
            #expect(expression.candidateBlocks(in: segment).count <= 2, "\(text)")
            let result = try store.query(expression)
            #expect(result.packets.count == 2)
            #expect(result.statistics.blocksRead <= 2)
        }
        // The wrong protocol finds no flow, and nothing matches.
        let udp = try store.query(try parse("host 10.0.0.1 and host 10.0.0.2 and udp port 1111 and udp port 2222"))
        #expect(udp.packets.isEmpty)
        #expect(udp.statistics.blocksRead == 0)
    }

    /// Regression: two port conjuncts with the same number do not pin the other port, so the
    /// flow lookup (which assumed ports X and Y) must not be used; it dropped every match.
    @Test func samePortTwiceDoesNotUseTheFlowLookup() throws {
        let a = IPAddress("10.0.0.1")!, b = IPAddress("10.0.0.2")!
        let packets = (0..<300).map { sequence in
            let ports: (UInt16, UInt16) = sequence % 3 == 0 ? (53, 53) : sequence % 3 == 1 ? (40000, 53) : (53, 40001)
            let bytes = Frame.ethernet(Frame.ipv4(a, b, protocol: 17, Frame.udp(ports.0, ports.1, payload: Frame.bigEndian(UInt32(sequence)))),
                                       etherType: 0x0800)
            return StoredPacket(time: Pool.start + Int64(sequence) * 1000, bytes: bytes)
        }
        let store = try TestStore(packets, blockSize: 2 << 10)
        let segments = try store.segments()
        let contents = try Self.blockContents(store, segments)
        for text in ["host 10.0.0.1 and host 10.0.0.2 and port 53 and port 53",
                     "host 10.0.0.1 and host 10.0.0.2 and port 53 and src port 53",
                     "host 10.0.0.1 and host 10.0.0.2 and udp port 53 and udp dst port 53",
                     "host 10.0.0.1 and host 10.0.0.2 and src port 53 and dst port 53"] {
            let expression = try parse(text)
            try Self.checkExact(store, expression, segments: segments, contents: contents)
            #expect(!store.bruteForce(expression).isEmpty, "\(text)")
        }
        #expect(QueryExpression.flowKeys(try parse("host 10.0.0.1 and host 10.0.0.2 and port 53 and port 53").conjuncts) == nil)
        #expect(QueryExpression.flowKeys(try parse("host 10.0.0.1 and host 10.0.0.2 and port 53 and dst port 53").conjuncts) == nil)
        #expect(QueryExpression.flowKeys(try parse("host 10.0.0.1 and host 10.0.0.2 and src port 53 and dst port 53").conjuncts) != nil)
    }

    @Test func flowKeysFlattenNestedConjunctionsAndIgnoreRepeats() throws {
        let plain = try #require(QueryExpression.flowKeys(try parse("host 10.0.0.1 and host 10.0.0.2 and port 1 and port 2 and tcp").conjuncts))
        for text in ["host 10.0.0.1 and host 10.0.0.2 and tcp port 1 and tcp port 2",
                     "(host 10.0.0.1 and tcp port 1) and (host 10.0.0.2 and tcp port 2)",
                     "tcp and host 10.0.0.2 and (port 2 and (host 10.0.0.1 and port 1)) and tcp"] {
            let keys = try #require(QueryExpression.flowKeys(try parse(text).conjuncts), "\(text)")
            #expect(Set(keys) == Set(plain), "\(text)")
        }
        #expect(QueryExpression.flowKeys(try parse("host 10.0.0.1 and host 10.0.0.2 and port 1 and port 2").conjuncts)?.count == 6)
        for text in ["host 10.0.0.1 and host 10.0.0.2 and tcp port 1 and udp port 2",
                     "host 10.0.0.1 and host 10.0.0.1 and port 1 and port 2",
                     "host 10.0.0.1 and net 10.0.0.0/24 and port 1 and port 2",
                     "host 10.0.0.1 and host 10.0.0.2 and port 1",
                     "host 10.0.0.1 and host 10.0.0.2 and (port 1 or port 2) and port 3"] {
            #expect(QueryExpression.flowKeys(try parse(text).conjuncts) == nil, "\(text)")
        }
    }

    // MARK: Limits

    @Test func limitsCutExactly() throws {
        let store = try Self.mixedStore(seed: 31)
        let expression = try parse("tcp or icmp6")
        let expected = store.bruteForce(expression)
        #expect(expected.count > 100)
        for maxPackets in [0, 1, 17, expected.count - 1] {
            let result = try store.query(expression, limits: QueryLimits(maxPackets: maxPackets))
            #expect(result.packets == Array(expected.prefix(maxPackets)))
            #expect(result.statistics.limitReached)
            #expect(result.statistics.packetsMatched == maxPackets)
        }
        for maxPackets in [expected.count, expected.count + 1] {
            let result = try store.query(expression, limits: QueryLimits(maxPackets: maxPackets))
            #expect(result.packets == expected)
            #expect(!result.statistics.limitReached)
        }
        // Bytes: 16-byte record header plus captured bytes per packet.
        var prefixBytes = [0]
        for packet in expected { prefixBytes.append(prefixBytes.last! + 16 + packet.bytes.count) }
        for count in [1, 2, 50, expected.count - 1] {
            let exact = try store.query(expression, limits: QueryLimits(maxBytes: prefixBytes[count]))
            #expect(exact.packets == Array(expected.prefix(count)))
            #expect(exact.statistics.limitReached)
            #expect(exact.statistics.bytesMatched == prefixBytes[count] - 16 * count)
            let short = try store.query(expression, limits: QueryLimits(maxBytes: prefixBytes[count] - 1))
            #expect(short.packets == Array(expected.prefix(count - 1)))
            #expect(short.statistics.limitReached)
        }
        let small = try store.query(expression, limits: QueryLimits(maxBytes: 15))
        #expect(small.packets.isEmpty && small.statistics.limitReached)
        let all = try store.query(expression, limits: QueryLimits(maxBytes: prefixBytes.last!))
        #expect(all.packets == expected && !all.statistics.limitReached)
        // Both limits: whichever cuts first.
        let both = try store.query(expression, limits: QueryLimits(maxPackets: 40, maxBytes: prefixBytes[60]))
        #expect(both.packets == Array(expected.prefix(40)) && both.statistics.limitReached)
        let both2 = try store.query(expression, limits: QueryLimits(maxPackets: 60, maxBytes: prefixBytes[40]))
        #expect(both2.packets == Array(expected.prefix(40)) && both2.statistics.limitReached)
        // No match: the limit is never reached.
        let none = try store.query(try parse("host 10.9.9.9"), limits: QueryLimits(maxPackets: 0, maxBytes: 0))
        #expect(none.packets.isEmpty && !none.statistics.limitReached)
    }

    // MARK: Link types

    @Test func linkTypesListTheCandidateBlocksLinkTypes() throws {
        var packets: [StoredPacket] = []
        for sequence in 0..<400 {
            let cooked = (sequence / 50) % 2 == 1
            let source = IPAddress(ipv4: cooked ? 0x0A09_0001 : 0x0A00_0001)
            let network = Frame.ipv4(source, IPAddress("192.168.1.1")!, protocol: 6,
                                     Frame.tcp(40000, 443, payload: Frame.bigEndian(UInt32(sequence))))
            packets.append(cooked
                ? StoredPacket(time: Pool.start + Int64(sequence) * 1_000_000, linkType: .linuxSLL, bytes: Frame.linuxSLL(network, etherType: 0x0800))
                : StoredPacket(time: Pool.start + Int64(sequence) * 1_000_000, bytes: Frame.ethernet(network, etherType: 0x0800)))
        }
        let store = try TestStore(packets, blockSize: 4 << 10, segmentDuration: 100_000_000)
        let segments = try store.segments()
        let contents = try Self.blockContents(store, segments)
        let cases: [(String, [LinkType])] = [
            ("tcp", [.ethernet, .linuxSLL]),
            ("host 10.9.0.1", [.linuxSLL]),
            ("host 10.0.0.1", [.ethernet]),
            ("host 10.8.0.1", []),
            ("tcp and before \(at(50_000_000))", [.ethernet]),
            ("tcp and after \(at(50_000_000)) and before \(at(100_000_000))", [.linuxSLL]),
        ]
        for (text, linkTypes) in cases {
            let expression = try parse(text)
            let result = try store.query(expression)
            #expect(result.linkTypes == linkTypes, "\(text)")
            #expect(Set(result.packets.map(\.linkType)) == Set(linkTypes), "\(text)")
            try Self.checkExact(store, expression, segments: segments, contents: contents)
        }
        // The mixed store has runs of Linux SLL between Ethernet frames.
        let mixed = try Self.mixedStore()
        #expect(try mixed.query(try parse("ip or ip6")).linkTypes == [.ethernet, .linuxSLL])
        #expect(try mixed.query(try parse("vlan 10")).linkTypes == [.ethernet])
    }

    // MARK: Active segment

    @Test func flushedPacketsOfTheActiveSegmentAreQueryable() throws {
        let packets = mixedTraffic(count: 1500, seed: 41)
        let store = try TestStore(packets, blockSize: 4 << 10, keepOpen: true)
        let reader = try StoreReader(directory: store.directory.path)
        #expect(reader.sealedSegments.isEmpty)
        #expect(reader.activeSegmentID != nil)
        let segments = try store.segments()
        let segment = try #require(segments.first)
        #expect(segments.count == 1 && segment.isActive)
        #expect(segment.blockCount > 20)
        // No index yet: every lookup returns every block.
        for text in ["host 10.0.0.1", "port 53", "vlan 10", "mpls 16", "ip proto 58",
                     "host 10.0.0.1 and host 10.0.0.2 and port 53 and port 80"] {
            #expect(try parse(text).candidateBlocks(in: segment) == segment.allBlocks, "\(text)")
        }
        let contents = try Self.blockContents(store, segments)
        for text in ["host 10.0.0.1", "tcp port 443", "not udp", "vlan 20 or mpls 1000", "after \(at(700_000_000))",
                     "host 2001:db8::1 and host 2001:db8::2 and port 80 and port 443"] {
            try Self.checkExact(store, try parse(text), segments: segments, contents: contents)
        }
    }

    @Test func sealedAndActiveSegmentsAreMergedAndLaterFlushesAreSeen() throws {
        let first = mixedTraffic(count: 1500, seed: 42)
        let store = try TestStore(first, blockSize: 4 << 10, segmentDuration: 300_000_000, keepOpen: true)
        let reader = try StoreReader(directory: store.directory.path)
        #expect(reader.sealedSegments.count >= 3)
        #expect(reader.activeSegmentID != nil)
        let expression = try parse("tcp or udp dst port 53")
        let before = try store.query(expression)
        #expect(firstDifference(before.packets, store.bruteForce(expression)) == nil)

        // More packets, flushed, overlapping earlier times: a new reader sees all of them.
        let writer = try #require(store.writer)
        let second = mixedTraffic(count: 500, seed: 43, start: Pool.start + 100_000_000)
        for packet in second { try packet.withRecord { try writer.append($0) } }
        try writer.flush()
        let combined = TestStoreView(packets: first + second)
        let after = try store.query(expression)
        #expect(firstDifference(after.packets, combined.bruteForce(expression)) == nil)
        #expect(after.packets.count > before.packets.count)
        // A reader from before the flush: its active segment has been sealed since (the second
        // batch went back in time); the executor opens it as sealed and finds what it held.
        let planned = try QueryExecutor(store: reader, expression: expression)
        var replanned: [StoredPacket] = []
        _ = try planned.run { replanned.append(StoredPacket($0)) }
        #expect(firstDifference(replanned, before.packets) == nil)

        try writer.close()
        let sealed = try StoreReader(directory: store.directory.path)
        #expect(sealed.activeSegmentID == nil)
        #expect(firstDifference(try store.query(expression).packets, combined.bruteForce(expression)) == nil)
    }

    // MARK: Timestamp

    @Test func nanosecondOfSecondNearDistantPastDoesNotTrap() throws {
        #expect(Timestamp.distantPast.nanosecondOfSecond == 145_224_192)
        #expect(Timestamp.distantPast.seconds == -9_223_372_037)
        #expect(Timestamp(nanoseconds: .min + 1).nanosecondOfSecond == 145_224_193)
        #expect(Timestamp.distantPast.description == "1677-09-21T00:12:43.145224192Z")
        let expression = QueryExpression.timeAfter(.distantPast)
        #expect(try parse(expression.description) == expression)
        #expect(try parse("before \(Timestamp.distantPast)") == .timeBefore(.distantPast))
    }
}

/// The oracle over a list of written packets (for stores written in several steps).
struct TestStoreView {
    let packets: [StoredPacket]

    func bruteForce(_ expression: QueryExpression) -> [StoredPacket] {
        let decoded = packets.map(\.decoded)
        return packets.indices
            .filter { expression.matches(decoded[$0], at: packets[$0].timestamp) }
            .sorted { (packets[$0].time, $0) < (packets[$1].time, $1) }
            .map { packets[$0] }
    }
}

/// Random queries drawn from (and next to) the values of a store's traffic.
struct StoreQueries {
    let packets: [DecodedPacket]
    let times: ClosedRange<Int64>

    func expression(depth: Int, using random: inout SplitMix64) -> QueryExpression {
        guard depth > 0, Int.random(in: 0..<3, using: &random) != 0 else { return primitive(using: &random) }
        switch Int.random(in: 0..<7, using: &random) {
        case 0, 1, 2: return .and(expression(depth: depth - 1, using: &random), expression(depth: depth - 1, using: &random))
        case 3, 4: return .or(expression(depth: depth - 1, using: &random), expression(depth: depth - 1, using: &random))
        case 5: return flow(using: &random)
        default: return .not(expression(depth: depth - 1, using: &random))
        }
    }

    private func address(using random: inout SplitMix64) -> IPAddress {
        switch Int.random(in: 0..<10, using: &random) {
        case 0: return IPAddress("10.9.9.9")!
        case 1...5: return Pool.ipv4.randomElement(using: &random)!
        default: return Pool.ipv6.randomElement(using: &random)!
        }
    }

    func primitive(using random: inout SplitMix64) -> QueryExpression {
        let direction = [QueryExpression.Direction.either, .source, .destination].randomElement(using: &random)!
        switch Int.random(in: 0..<14, using: &random) {
        case 0, 1:
            let address = address(using: &random)
            return .address(direction, address...address)
        case 2:
            let address = address(using: &random)
            let length = address.isIPv6 ? [16, 32, 48, 64, 127, 128].randomElement(using: &random)!
                : [8, 16, 24, 29, 30, 31].randomElement(using: &random)!
            return .address(direction, address.prefixRange(length: length))
        case 3, 4: return .port(direction, (Pool.ports + [9999]).randomElement(using: &random)!)
        case 5: return .ipProtocol([1, 6, 17, 58, 132, 44, 50].randomElement(using: &random)!)
        case 6: return .and(.ipProtocol([6, 17].randomElement(using: &random)!), .port(direction, Pool.ports.randomElement(using: &random)!))
        case 7: return [.icmp, .icmp6, .ipVersion(.v4), .ipVersion(.v6)].randomElement(using: &random)!
        case 8: return .vlan((Pool.vlans + [4000, 99]).randomElement(using: &random)!)
        case 9: return .mpls((Pool.mplsLabels + [77, 5]).randomElement(using: &random)!)
        case 10: return .timeAfter(Timestamp(nanoseconds: Int64.random(in: times, using: &random)))
        case 11: return .timeBefore(Timestamp(nanoseconds: Int64.random(in: times, using: &random)))
        default: return flow(using: &random)
        }
    }

    /// The conjunction that pins the flow of a random packet with ports, in random order and
    /// grouping, sometimes with its protocol.
    func flow(using random: inout SplitMix64) -> QueryExpression {
        var packet = packets.randomElement(using: &random)!
        while !packet.hasPorts || packet.source == packet.destination { packet = packets.randomElement(using: &random)! }
        var parts: [QueryExpression] = [
            .address(.either, packet.source...packet.source), .address(.either, packet.destination...packet.destination),
            .port(.either, packet.sourcePort), .port(.either, packet.destinationPort),
        ]
        if Bool.random(using: &random) { parts.append(.ipProtocol(packet.ipProtocol)) }
        parts.shuffle(using: &random)
        var expression = parts[0]
        for part in parts.dropFirst() {
            expression = Bool.random(using: &random) ? .and(expression, part) : .and(part, expression)
        }
        return expression
    }
}
