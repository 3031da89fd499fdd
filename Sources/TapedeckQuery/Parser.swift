import TapedeckCore

/// Recursive-descent parser from ``Token``s to a ``QueryExpression``; see
/// ``QueryExpression/parse(_:now:)`` for the grammar.
///
/// Queries come from the network, so nesting is bounded: parentheses and `not` may be open
/// ``maximumNesting`` deep (the parser recurses on them), and the expression may nest at most
/// ``maximumDepth`` operators (evaluation, printing and deallocation recurse on it).
struct Parser {
    /// How many parentheses and `not`s may be open at once.
    static let maximumNesting = 100
    /// How many `and`/`or`/`not` operators may nest in the expression, e.g. in a chain
    /// `host A or host B or …`.
    static let maximumDepth = 1000

    private let query: String
    private let now: Timestamp
    private var tokens: [Token] = []
    private var index = 0
    private var nesting = 0

    /// An expression and the number of operators on its longest path.
    private struct Node {
        var expression: QueryExpression
        var depth: Int
    }

    init(text: String, now: Timestamp) {
        query = text
        self.now = now
    }

    /// Parses the whole query; fails on anything left over.
    mutating func parseQuery() throws(QuerySyntaxError) -> QueryExpression {
        tokens = try Lexer.tokenize(query)
        index = 0
        nesting = 0
        guard current.kind != .end else {
            throw QuerySyntaxError(message: "empty query", query: query, position: 0, length: 0)
        }
        let node = try parseOr()
        switch current.kind {
        case .end:
            return node.expression
        case .rightParenthesis:
            throw error("unbalanced ')': no '(' to close", at: current)
        default:
            throw error("expected 'and', 'or' or the end of the query, found '\(current.text)'"
                        + suggestion(for: current, among: Keywords.operators), at: current)
        }
    }

    // MARK: Boolean structure

    private mutating func parseOr() throws(QuerySyntaxError) -> Node {
        var left = try parseAnd()
        while current.kind == .doubleBar || isWord(current, "or") {
            let operation = current
            advance()
            let right = try parseAnd()
            left = try combine(.or(left.expression, right.expression), max(left.depth, right.depth), at: operation)
        }
        return left
    }

    private mutating func parseAnd() throws(QuerySyntaxError) -> Node {
        var left = try parseUnary()
        while current.kind == .doubleAmpersand || isWord(current, "and") {
            let operation = current
            advance()
            let right = try parseUnary()
            left = try combine(.and(left.expression, right.expression), max(left.depth, right.depth), at: operation)
        }
        return left
    }

    private mutating func parseUnary() throws(QuerySyntaxError) -> Node {
        let token = current
        switch token.kind {
        case _ where token.kind == .bang || isWord(token, "not"):
            try enter(token)
            advance()
            let operand = try parseUnary()
            nesting -= 1
            return try combine(.not(operand.expression), operand.depth, at: token)
        case .leftParenthesis:
            try enter(token)
            advance()
            let inner = try parseOr()
            nesting -= 1
            switch current.kind {
            case .rightParenthesis:
                advance()
                return inner
            case .end:
                throw error("unbalanced '(': missing ')'", at: token)
            default:
                throw error("expected ')', 'and' or 'or', found '\(current.text)'"
                            + suggestion(for: current, among: Keywords.operators), at: current)
            }
        case .word where token.keyword != "and" && token.keyword != "or":
            return Node(expression: try parsePrimitive(), depth: 0)
        default:
            throw missingOperand()
        }
    }

    /// Counts an opening parenthesis or `not`, failing beyond ``maximumNesting``.
    private mutating func enter(_ token: Token) throws(QuerySyntaxError) {
        nesting += 1
        guard nesting <= Self.maximumNesting else {
            throw error("nested too deeply (more than \(Self.maximumNesting) parentheses and 'not's)", at: token)
        }
    }

    /// A node for an operator over operands of depth `operandDepth`, failing beyond ``maximumDepth``.
    private func combine(_ expression: QueryExpression, _ operandDepth: Int, at operation: Token) throws(QuerySyntaxError) -> Node {
        guard operandDepth < Self.maximumDepth else {
            throw error("expression too deep (more than \(Self.maximumDepth) nested operators)", at: operation)
        }
        return Node(expression: expression, depth: operandDepth + 1)
    }

    // MARK: Primitives

    private mutating func parsePrimitive() throws(QuerySyntaxError) -> QueryExpression {
        let token = current
        advance()
        switch token.keyword {
        case "src": return try parseDirected(.source, after: token)
        case "dst": return try parseDirected(.destination, after: token)
        case "host": return try parseHost(.either, after: token)
        case "net": return try parseNet(.either, after: token)
        case "port": return .port(.either, UInt16(try parseNumber("a port number", maximum: 65535, after: token)))
        case "ip":
            guard isWord(current, "proto") else { return .ipVersion(.v4) }
            let proto = current
            advance()
            return .ipProtocol(UInt8(try parseNumber("an IP protocol number", maximum: 255, after: proto)))
        case "ip6": return .ipVersion(.v6)
        case "tcp": return try parseTransportPort(.ipProtocol(6), after: token)
        case "udp": return try parseTransportPort(.ipProtocol(17), after: token)
        case "icmp": return .icmp
        case "icmp6": return .icmp6
        case "vlan": return .vlan(UInt16(try parseNumber("a VLAN ID", maximum: 4095, after: token)))
        case "mpls": return .mpls(UInt32(try parseNumber("an MPLS label", maximum: 1_048_575, after: token)))
        case "before": return .timeBefore(try parseTime(after: token))
        case "after": return .timeAfter(try parseTime(after: token))
        default:
            if IPAddress(token.text) != nil {
                throw error("expected an expression, found the address '\(token.text)'; did you mean 'host \(token.text)'?", at: token)
            }
            guard token.text.first?.isLetter == true, !["mask", "proto", "ago"].contains(token.keyword) else {
                throw error("expected an expression, found '\(token.text)'", at: token)
            }
            throw error("unknown keyword '\(token.text)'" + suggestion(for: token, among: Keywords.operandStarts), at: token)
        }
    }

    private mutating func parseDirected(_ direction: QueryExpression.Direction, after qualifier: Token) throws(QuerySyntaxError) -> QueryExpression {
        let token = current
        guard token.kind == .word else {
            throw error("expected 'host', 'net' or 'port' after '\(qualifier.text)'" + found(token), at: token)
        }
        advance()
        switch token.keyword {
        case "host": return try parseHost(direction, after: token)
        case "net": return try parseNet(direction, after: token)
        case "port": return .port(direction, UInt16(try parseNumber("a port number", maximum: 65535, after: token)))
        default:
            throw error("expected 'host', 'net' or 'port' after '\(qualifier.text)'" + found(token)
                        + suggestion(for: token, among: ["host", "net", "port"]), at: token)
        }
    }

    /// tcpdump's `tcp [src|dst] port N` and `udp [src|dst] port N`, after the protocol keyword:
    /// `(tcp|udp) and [src|dst] port N`. Without a following `port` (or `src`/`dst`), just the
    /// protocol.
    private mutating func parseTransportPort(_ protocolExpression: QueryExpression, after keyword: Token) throws(QuerySyntaxError) -> QueryExpression {
        let direction: QueryExpression.Direction
        switch current.kind == .word ? current.keyword : "" {
        case "port": direction = .either
        case "src": direction = .source
        case "dst": direction = .destination
        default: return protocolExpression
        }
        if direction != .either {
            let qualifier = current
            advance()
            guard isWord(current, "port") else {
                throw error("expected 'port' after '\(keyword.text) \(qualifier.text)'" + found(current)
                            + suggestion(for: current, among: ["port"]), at: current)
            }
        }
        let portKeyword = current
        advance()
        let port = UInt16(try parseNumber("a port number", maximum: 65535, after: portKeyword))
        return .and(protocolExpression, .port(direction, port))
    }

    private mutating func parseHost(_ direction: QueryExpression.Direction, after keyword: Token) throws(QuerySyntaxError) -> QueryExpression {
        let address = try parseAddress(after: keyword)
        if current.kind == .slash {
            throw error("'host' takes a single address; use 'net' for a prefix", at: current)
        }
        return .address(direction, address...address)
    }

    private mutating func parseNet(_ direction: QueryExpression.Direction, after keyword: Token) throws(QuerySyntaxError) -> QueryExpression {
        let addressToken = current
        let address = try parseAddress(after: keyword)
        if current.kind == .slash {
            let slash = current
            advance()
            let length = try parseNumber("a prefix length", maximum: UInt32(address.bitWidth), after: slash)
            return .address(direction, address.prefixRange(length: Int(length)))
        }
        guard isWord(current, "mask") else {
            throw error("expected '/' and a prefix length, or 'mask', after the network address" + found(current), at: current)
        }
        let maskKeyword = current
        advance()
        guard !address.isIPv6 else {
            throw error("'mask' works only with IPv4 networks; write \(addressToken.text)/N", at: maskKeyword)
        }
        let maskToken = current
        let mask = try parseAddress(after: maskKeyword)
        guard let maskValue = mask.ipv4Value else {
            throw error("expected an IPv4 netmask after 'mask', found '\(maskToken.text)'", at: maskToken)
        }
        let length = (~maskValue).leadingZeroBitCount
        guard maskValue == (length == 0 ? 0 : UInt32.max << UInt32(32 - length)) else {
            throw error("netmask \(maskToken.text) is not contiguous", at: maskToken)
        }
        return .address(direction, address.prefixRange(length: length))
    }

    /// An IPv4 or IPv6 address word.
    private mutating func parseAddress(after keyword: Token) throws(QuerySyntaxError) -> IPAddress {
        let token = current
        guard token.kind == .word else {
            throw error("expected an IP address after '\(keyword.text)'" + found(token), at: token)
        }
        guard let address = IPAddress(token.text) else {
            if token.text.first?.isNumber == true || token.text.contains(":") {
                throw error("invalid IP address '\(token.text)'", at: token)
            }
            throw error("expected an IP address after '\(keyword.text)'" + found(token), at: token)
        }
        advance()
        return address
    }

    /// A decimal number in `0...maximum`. `what` names it with its article (`"a port number"`);
    /// range errors drop the article (`port number 70000 out of range (0–65535)`).
    private mutating func parseNumber(_ what: String, maximum: UInt32, after keyword: Token) throws(QuerySyntaxError) -> UInt32 {
        let token = current
        guard token.kind == .word, token.text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw error("expected \(what) after '\(keyword.text)'" + found(token), at: token)
        }
        var value: UInt32 = 0
        for digit in token.text.utf8 {
            let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt32(digit - UInt8(ascii: "0")))
            guard !overflow, !overflow2, sum <= maximum else {
                let noun = what.split(separator: " ", maxSplits: 1).last.map(String.init) ?? what
                throw error("\(noun) \(token.text) out of range (0–\(maximum))", at: token)
            }
            value = sum
        }
        advance()
        return value
    }

    /// An RFC 3339 time, or a duration followed by `ago` (resolved against `now`).
    private mutating func parseTime(after keyword: Token) throws(QuerySyntaxError) -> Timestamp {
        let token = current
        guard token.kind == .word else {
            throw error("expected a time after '\(keyword.text)' (like 2012-11-03T11:05:00Z, or 5m ago)" + found(token), at: token)
        }
        advance()
        let nanoseconds: Int64
        do {
            if TimeParsing.looksLikeDate(token.text) {
                return try TimeParsing.parseRFC3339(token.text)
            }
            nanoseconds = try TimeParsing.parseDuration(token.text)
        } catch let failure {
            throw error("invalid time '\(token.text)': \(failure.message)", at: token)
        }
        guard isWord(current, "ago") else {
            throw error("expected 'ago' after the duration '\(token.text)'" + found(current), at: current)
        }
        advance()
        return now.advanced(byNanoseconds: -nanoseconds)
    }

    // MARK: Helpers

    private var current: Token { tokens[index] }

    private mutating func advance() {
        if index < tokens.count - 1 { index += 1 }
    }

    private func isWord(_ token: Token, _ keyword: String) -> Bool {
        token.kind == .word && token.keyword == keyword
    }

    /// The error for a place where an operand is required but `current` cannot start one.
    private func missingOperand() -> QuerySyntaxError {
        let token = current
        if index > 0 {
            return error("expected an expression after '\(tokens[index - 1].text)'" + found(token), at: token)
        }
        return error("expected an expression" + found(token), at: token)
    }

    /// `, found 'x'`, or nothing at the end of the query.
    private func found(_ token: Token) -> String {
        token.kind == .end ? "" : ", found '\(token.text)'"
    }

    private func suggestion(for token: Token, among keywords: [String]) -> String {
        guard token.kind == .word, let keyword = Keywords.nearest(to: token.text, among: keywords) else { return "" }
        return "; did you mean '\(keyword)'?"
    }

    private func error(_ message: String, at token: Token) -> QuerySyntaxError {
        QuerySyntaxError(message: message, query: query, position: token.position, length: token.length)
    }
}
