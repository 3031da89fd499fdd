import TapedeckCore
import TapedeckStorage

extension QueryExpression {
    /// The blocks of `segment` that may hold a packet matching this expression, from the
    /// segment's index: primitives look up their section, `and`/`or` intersect/unite, and `not`
    /// (which an index of presence cannot narrow) keeps every block. Never misses a block;
    /// packets are filtered exactly afterwards.
    public func candidateBlocks(in segment: SegmentReader) -> BlockSet {
        switch self {
        case .address(_, let range):
            return segment.blocks(addressesIn: range)
        case .port(_, let port):
            return segment.blocks(port: port)
        case .ipProtocol(let number):
            return segment.blocks(ipProtocol: number)
        case .vlan(let id):
            return segment.blocks(vlan: id)
        case .mpls(let label):
            return segment.blocks(mplsLabel: label)
        case .timeAfter(let time):
            return segment.blocks(overlapping: TimeWindow(start: time))
        case .timeBefore(let time):
            return segment.blocks(overlapping: TimeWindow(end: time))
        case .ipVersion, .not:
            return segment.allBlocks
        case .or(let left, let right):
            var blocks = left.candidateBlocks(in: segment)
            blocks.formUnion(right.candidateBlocks(in: segment))
            return blocks
        case .and:
            let conjuncts = self.conjuncts
            var blocks = conjuncts[0].candidateBlocks(in: segment)
            for conjunct in conjuncts.dropFirst() where !blocks.isEmpty {
                blocks.formIntersection(conjunct.candidateBlocks(in: segment))
            }
            if !blocks.isEmpty, let flows = QueryExpression.flowKeys(conjuncts) {
                var flowBlocks = BlockSet(capacity: segment.blockCount)
                for flow in flows { flowBlocks.formUnion(segment.blocks(flow: flow)) }
                blocks.formIntersection(flowBlocks)
            }
            return blocks
        }
    }

    /// The operands of a chain of `and`s, left to right.
    var conjuncts: [QueryExpression] {
        if case .and(let left, let right) = self { return left.conjuncts + right.conjuncts }
        return [self]
    }

    /// For a conjunction that pins a single flow — two single addresses and two ports, as in
    /// `host A and host B and port X and port Y [and tcp]` or `host A and host B and tcp port X
    /// and tcp port Y` — the flow keys it can match (both port assignments; TCP, UDP and SCTP
    /// unless a protocol is given), for the flow section. Nil when the conjuncts do not pin the
    /// flow: a matching packet's flow key must be among those returned.
    ///
    /// Repeated conjuncts count once (`tcp port X and tcp port Y` names `tcp` twice). Two port
    /// conjuncts with the same number pin the flow only as `src port X and dst port X`: with
    /// `port X and src port X` the other port is free.
    static func flowKeys(_ conjuncts: [QueryExpression]) -> [FlowKey]? {
        var addresses: [IPAddress] = []
        var ports: [(direction: Direction, port: UInt16)] = []
        var protocols: [UInt8] = []
        var seen = Set<QueryExpression>()
        for conjunct in conjuncts where seen.insert(conjunct).inserted {
            switch conjunct {
            case .address(_, let range) where range.lowerBound == range.upperBound:
                addresses.append(range.lowerBound)
            case .port(let direction, let port):
                ports.append((direction, port))
            case .ipProtocol(let number):
                protocols.append(number)
            default:
                continue
            }
        }
        guard addresses.count == 2, addresses[0] != addresses[1], ports.count == 2, protocols.count <= 1 else { return nil }
        if ports[0].port == ports[1].port {
            let directions: Set<Direction> = [ports[0].direction, ports[1].direction]
            guard directions == [.source, .destination] else { return nil }
        }
        return (protocols.isEmpty ? [6, 17, 132] : protocols).flatMap { number in
            [(ports[0].port, ports[1].port), (ports[1].port, ports[0].port)].map { first, second in
                FiveTuple(ipProtocol: number, source: addresses[0], destination: addresses[1],
                          sourcePort: first, destinationPort: second).flowKey
            }
        }
    }
}
