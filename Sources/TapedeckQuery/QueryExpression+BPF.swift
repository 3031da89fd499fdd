import TapedeckCore

extension QueryExpression {
    /// A tcpdump (libpcap) filter expression that accepts the same untagged packets, leaving
    /// time to ``timeWindow``: for every untagged packet `p` captured at `t`,
    /// `matches(p, at: t) == (tcpdump accepts p) && timeWindow.contains(t)`.
    ///
    /// `after`/`before` that are ANDed at the top level are left out (they are the window); a
    /// query made only of those gives `""`, which tcpdump reads as "every packet". Returns nil
    /// when there is no equivalent: for time bounds under `or`/`not`, and for `vlan`/`mpls`
    /// (tags are looked through here, while BPF's `vlan`/`mpls` shift its offsets).
    ///
    /// The translation follows ``matches(_:at:)``: addresses become `ip host`/`ip6 net` (never
    /// plain `host`, which matches ARP too), `ip proto N` becomes `ip proto N or ip6 proto N`.
    /// tcpdump gives `and` and `or` equal precedence, so operands are parenthesised as needed.
    ///
    /// Beware: tcpdump refuses a filter that libpcap's optimiser proves false (`tcp and udp`
    /// fails with "expression rejects all packets"); treat that as an empty result.
    public func bpfEquivalent() -> String? {
        var conjuncts: [BPFText] = []
        guard collectBPFConjuncts(into: &conjuncts) else { return nil }
        guard conjuncts.count > 1 else { return conjuncts.first?.text ?? "" }
        return conjuncts.map { $0.operand(of: .and, isLeft: false) }.joined(separator: " and ")
    }

    /// Filter text and how tightly it holds together.
    private struct BPFText {
        var text: String
        var binding: Binding

        /// The text as the operand of a tcpdump `and`/`or` (equal precedence, left-associative).
        func operand(of operation: Binding, isLeft: Bool) -> String {
            switch binding {
            case .primitive, .not: text
            case operation where isLeft: text
            default: "(\(text))"
            }
        }
    }

    /// Appends the BPF of each top-level conjunct except time bounds; false if one has none.
    private func collectBPFConjuncts(into conjuncts: inout [BPFText]) -> Bool {
        switch self {
        case .timeAfter, .timeBefore:
            return true
        case let .and(left, right) where self != .icmp && self != .icmp6:
            return left.collectBPFConjuncts(into: &conjuncts) && right.collectBPFConjuncts(into: &conjuncts)
        default:
            guard let text = bpfText() else { return false }
            conjuncts.append(text)
            return true
        }
    }

    /// The BPF for this expression anywhere below the top-level conjunction.
    private func bpfText() -> BPFText? {
        switch self {
        case .timeAfter, .timeBefore, .vlan, .mpls:
            return nil
        case _ where self == .icmp:
            return BPFText(text: "icmp", binding: .primitive)
        case _ where self == .icmp6:
            return BPFText(text: "icmp6", binding: .primitive)
        case let .address(direction, range):
            let blocks = AddressBlocks.prefixLength(of: range).map { [AddressBlocks.Block(network: range.lowerBound, length: $0)] }
                ?? AddressBlocks.blocks(covering: range)
            let texts = blocks.map { block in
                let family = block.network.isIPv6 ? "ip6" : "ip"
                let address = block.length == block.network.bitWidth
                    ? "host \(block.network)" : "net \(block.network)/\(block.length)"
                return "\(family) \(direction.qualifier)\(address)"
            }
            return BPFText(text: texts.joined(separator: " or "), binding: texts.count == 1 ? .primitive : .or)
        case let .port(direction, port):
            return BPFText(text: "\(direction.qualifier)port \(port)", binding: .primitive)
        case .ipProtocol(6):
            return BPFText(text: "tcp", binding: .primitive)
        case .ipProtocol(17):
            return BPFText(text: "udp", binding: .primitive)
        case let .ipProtocol(number):
            return BPFText(text: "ip proto \(number) or ip6 proto \(number)", binding: .or)
        case .ipVersion(.v4):
            return BPFText(text: "ip", binding: .primitive)
        case .ipVersion(.v6):
            return BPFText(text: "ip6", binding: .primitive)
        case let .and(left, right):
            guard let left = left.bpfText(), let right = right.bpfText() else { return nil }
            return BPFText(text: "\(left.operand(of: .and, isLeft: true)) and \(right.operand(of: .and, isLeft: false))", binding: .and)
        case let .or(left, right):
            guard let left = left.bpfText(), let right = right.bpfText() else { return nil }
            return BPFText(text: "\(left.operand(of: .or, isLeft: true)) or \(right.operand(of: .or, isLeft: false))", binding: .or)
        case let .not(operand):
            guard let operand = operand.bpfText() else { return nil }
            return BPFText(text: "not \(operand.operand(of: .not, isLeft: false))", binding: .not)
        }
    }
}
