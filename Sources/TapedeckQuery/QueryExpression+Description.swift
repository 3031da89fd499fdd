import TapedeckCore

extension QueryExpression: CustomStringConvertible {
    /// Canonical query text that ``parse(_:now:)`` turns back into an equal expression.
    ///
    /// Keywords are lower case; `and`/`or` are spelled out; parentheses appear only where
    /// precedence (`not` > `and` > `or`) and left associativity need them; times are RFC 3339
    /// in UTC with the fewest fractional digits; addresses are RFC 5952 text; `host A` stands
    /// for a one-address range and `net A/N` for a CIDR block (`A` with host bits zero). The
    /// sugar `tcp`, `udp`, `icmp`, `icmp6` and `tcp`/`udp` `[src|dst] port N` is printed for the
    /// expressions it expands to.
    ///
    /// A range that is not one CIDR block (only possible when built in code) prints as the
    /// parenthesised disjunction of the fewest blocks that cover it exactly: same matches,
    /// different structure.
    public var description: String {
        switch self {
        case let .address(direction, range):
            let qualifier = direction.qualifier
            if let length = AddressBlocks.prefixLength(of: range) {
                return Self.addressText(qualifier, network: range.lowerBound, length: length)
            }
            let blocks = AddressBlocks.blocks(covering: range).map {
                Self.addressText(qualifier, network: $0.network, length: $0.length)
            }
            return "(" + blocks.joined(separator: " or ") + ")"
        case let .port(direction, port):
            return "\(direction.qualifier)port \(port)"
        case .ipProtocol(6):
            return "tcp"
        case .ipProtocol(17):
            return "udp"
        case let .ipProtocol(number):
            return "ip proto \(number)"
        case .ipVersion(.v4):
            return "ip"
        case .ipVersion(.v6):
            return "ip6"
        case let .vlan(id):
            return "vlan \(id)"
        case let .mpls(label):
            return "mpls \(label)"
        case let .timeAfter(time):
            return "after \(TimeParsing.format(time))"
        case let .timeBefore(time):
            return "before \(TimeParsing.format(time))"
        case let .and(.ipProtocol(number), .port(direction, port)) where number == 6 || number == 17:
            return "\(number == 6 ? "tcp" : "udp") \(direction.qualifier)port \(port)"
        case _ where self == .icmp:
            return "icmp"
        case _ where self == .icmp6:
            return "icmp6"
        case let .and(left, right):
            return "\(left.operandText(binding: .and)) and \(right.operandText(binding: .not))"
        case let .or(left, right):
            return "\(left.operandText(binding: .or)) or \(right.operandText(binding: .and))"
        case let .not(operand):
            return "not \(operand.operandText(binding: .not))"
        }
    }

    /// How tightly an expression's text holds together, loosest first.
    enum Binding: Int, Comparable {
        case or, and, not, primitive

        static func < (lhs: Binding, rhs: Binding) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The binding of this expression's top-level text.
    var binding: Binding {
        switch self {
        case _ where self == .icmp || self == .icmp6: .primitive
        case .and(.ipProtocol(6), .port), .and(.ipProtocol(17), .port): .primitive
        case .or: .or
        case .and: .and
        case .not: .not
        default: .primitive
        }
    }

    /// ``description``, parenthesised unless it binds at least as tightly as `required`.
    private func operandText(binding required: Binding) -> String {
        binding >= required ? description : "(\(description))"
    }

    private static func addressText(_ qualifier: String, network: IPAddress, length: Int) -> String {
        length == network.bitWidth ? "\(qualifier)host \(network)" : "\(qualifier)net \(network)/\(length)"
    }
}

extension QueryExpression.Direction {
    /// `""`, `"src "` or `"dst "`.
    var qualifier: String {
        switch self {
        case .either: ""
        case .source: "src "
        case .destination: "dst "
        }
    }
}
