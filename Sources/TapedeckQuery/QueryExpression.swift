import TapedeckCore

/// A parsed query: Stenographer's language plus `src`/`dst`, `not`, `ip`/`ip6` and `icmp6`.
///
/// Build one with ``parse(_:now:)``; evaluate it per packet with ``matches(_:at:)``; print it
/// with ``description`` (canonical text that parses back to the same value); hand it to tcpdump
/// with ``bpfEquivalent()``; prune by time with ``timeWindow``.
///
/// Sugar is expanded while parsing: `tcp` and `udp` are ``ipProtocol(_:)`` 6 and 17,
/// `tcp [src|dst] port N` is `tcp and [src|dst] port N` (likewise `udp`), `icmp` is
/// `ip and ip proto 1`, `icmp6` is `ip6 and ip proto 58`, `host A` is the one-address range
/// `A...A`, and relative times (`5m ago`) are resolved against the `now` given to the parser.
public indirect enum QueryExpression: Hashable, Sendable {
    /// Which end of a packet an address or port primitive looks at.
    public enum Direction: Hashable, Sendable {
        /// Source or destination (`host`, `net`, `port`).
        case either
        /// Source only (`src host`, `src net`, `src port`).
        case source
        /// Destination only (`dst host`, `dst net`, `dst port`).
        case destination
    }

    /// An IP version, for the `ip` and `ip6` primitives.
    public enum IPVersion: Hashable, Sendable {
        /// IPv4 (`ip`).
        case v4
        /// IPv6 (`ip6`).
        case v6
    }

    /// The source and/or destination address lies in the range: `host A` is `A...A`,
    /// `net A/N` is `A.prefixRange(length: N)`. The parser always produces CIDR blocks of one
    /// address family; other ranges are allowed and print as a disjunction of CIDR blocks.
    case address(Direction, ClosedRange<IPAddress>)
    /// A TCP, UDP or SCTP source and/or destination port (`port N`, `src port N`, `dst port N`).
    case port(Direction, UInt16)
    /// `ip proto N` (also `tcp` = 6, `udp` = 17): the IPv4 protocol or the IPv6 next header,
    /// exactly as tcpdump's `ip proto N or ip6 proto N` (see ``matches(_:at:)``).
    case ipProtocol(UInt8)
    /// `ip` or `ip6`: the packet carries IPv4 or IPv6.
    case ipVersion(IPVersion)
    /// `vlan N`: one of the packet's VLAN tags has ID `N` (0–4095).
    case vlan(UInt16)
    /// `mpls N`: one of the packet's MPLS labels is `N` (0–1048575).
    case mpls(UInt32)
    /// `after T`: captured at or after `T` (inclusive).
    case timeAfter(Timestamp)
    /// `before T`: captured before `T` (exclusive).
    case timeBefore(Timestamp)
    /// Both sides match (`and`, `&&`).
    case and(QueryExpression, QueryExpression)
    /// Either side matches (`or`, `||`).
    case or(QueryExpression, QueryExpression)
    /// The operand does not match (`not`, `!`).
    case not(QueryExpression)

    /// `icmp`: IPv4 ICMP, like tcpdump's `icmp`.
    public static let icmp = QueryExpression.and(.ipVersion(.v4), .ipProtocol(1))
    /// `icmp6`: ICMPv6, like tcpdump's `icmp6`.
    public static let icmp6 = QueryExpression.and(.ipVersion(.v6), .ipProtocol(58))

    /// Parses query text.
    ///
    /// Grammar (keywords are case-insensitive, whitespace is free between tokens):
    ///
    ///     query     := or
    ///     or        := and (("or" | "||") and)*
    ///     and       := unary (("and" | "&&") unary)*
    ///     unary     := ("not" | "!") unary | "(" query ")" | primitive
    ///     primitive := [("src" | "dst")] "host" IP
    ///                | [("src" | "dst")] "net" IP "/" N | [("src" | "dst")] "net" IPv4 "mask" IPv4
    ///                | [("src" | "dst")] "port" N | "ip" "proto" N | "ip" | "ip6"
    ///                | ("tcp" | "udp") [[("src" | "dst")] "port" N]
    ///                | "icmp" | "icmp6" | "vlan" N | "mpls" N
    ///                | ("before" | "after") TIME
    ///     TIME      := RFC 3339 date-time | DURATION "ago"    (e.g. "1h30m ago"; units d h m s ms us ns)
    ///
    /// `and` binds tighter than `or`, both associate to the left; `not` binds tightest.
    /// As in tcpdump, `tcp port N` (also `udp`, and with `src`/`dst`) is one primitive:
    /// `(tcp and port N)`, so `not tcp port 80` is `not (tcp and port 80)`.
    ///
    /// - Parameters:
    ///   - text: the query.
    ///   - now: the instant that relative times (`… ago`) count back from.
    /// - Throws: ``QuerySyntaxError`` with the position of the offending token; also when more
    ///   than 100 parentheses/`not`s are open at once or more than 1000 operators nest (a chain
    ///   of 1001 `or`ed hosts is the longest), so that hostile input cannot exhaust the stack.
    public static func parse(_ text: String, now: Timestamp) throws(QuerySyntaxError) -> QueryExpression {
        var parser = Parser(text: text, now: now)
        return try parser.parseQuery()
    }
}
