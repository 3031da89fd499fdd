import TapedeckCore
import TapedeckQuery

extension HTTPServer {
    /// `POST /query`, Stenographer's API: the body is the query text (whatever the
    /// `Content-Type`, so `curl -d 'QUERY'` works), `Steno-Limit-Packets` and `Steno-Limit-Bytes`
    /// cap the result (0 or absent: no cap), and the pcap comes back as
    /// `application/octet-stream`, as Stenographer sends it.
    func stenographerQuery(_ exchange: HTTPExchange) throws {
        let request = exchange.request
        let parameters = try Parameters(request, allowed: Parameters.outputNames)
        guard let text = String(validating: request.body, as: UTF8.self) else {
            throw HTTPError(.badRequest, "invalid query", detail: "the query (the request body) is not UTF-8 text")
        }
        var pcap = PcapRequest(expression: try Self.parseQuery(text, now: .now()))
        try parameters.applyOutputOptions(to: &pcap)
        let packets = try request.headers["Steno-Limit-Packets"].map { (text) throws(HTTPError) in try Parameters.count(text, name: "Steno-Limit-Packets") }
        let bytes = try request.headers["Steno-Limit-Bytes"].map { (text) throws(HTTPError) in try Parameters.count(text, name: "Steno-Limit-Bytes") }
        if let packets, packets > 0 { pcap.limits.maxPackets = packets }
        if let bytes, bytes > 0 { pcap.limits.maxBytes = bytes }
        pcap.pcapContentType = "application/octet-stream"
        pcap.filenameStem = Self.filenameStem(for: pcap.expression.timeWindow)
        try streamPcap(exchange, pcap)
    }

    /// `GET /v1/pcap`: the query from `q` and/or the 5-tuple parameters `src`, `dst`, `sport`,
    /// `dport`, `proto` and the window `start`/`end`, all ANDed.
    func pcap(_ exchange: HTTPExchange) throws {
        let parameters = try Parameters(exchange.request, allowed: Parameters.outputNames.union(
            ["q", "src", "dst", "sport", "dport", "proto", "start", "end"]))
        let now = Timestamp.now()
        var parts: [QueryExpression] = []
        if let text = parameters["q"] { parts.append(try Self.parseQuery(text, now: now)) }
        if let flow = try FlowParameters(parameters).expression { parts.append(flow) }
        if let start = try parameters.time("start", now: now) { parts.append(.timeAfter(start)) }
        if let end = try parameters.time("end", now: now) { parts.append(.timeBefore(end)) }
        guard let first = parts.first else {
            throw HTTPError(.badRequest, "missing query",
                            detail: "give a query as q=… or select packets with src, dst, sport, dport, proto, start, end")
        }
        var pcap = PcapRequest(expression: parts.dropFirst().reduce(first) { .and($0, $1) })
        try parameters.applyOutputOptions(to: &pcap)
        if pcap.limits.maxPackets == 0 { pcap.limits.maxPackets = nil }
        if pcap.limits.maxBytes == 0 { pcap.limits.maxBytes = nil }
        pcap.filenameStem = Self.filenameStem(for: pcap.expression.timeWindow)
        try streamPcap(exchange, pcap)
    }

    /// Parses query text; a syntax error is `400` with its position and the caret picture.
    static func parseQuery(_ text: String, now: Timestamp) throws(HTTPError) -> QueryExpression {
        do {
            return try QueryExpression.parse(text, now: now)
        } catch {
            throw HTTPError(.badRequest, "invalid query", detail: error.rendered, position: error.position)
        }
    }

    /// `tapedeck-<start>-<end>`, with `begin`/`end` for open bounds.
    static func filenameStem(for window: TimeWindow, prefix: String = "tapedeck") -> String {
        let start = window.start == .distantPast ? "begin" : HTTPDate.compact(window.start)
        let end = window.end == .distantFuture ? "end" : HTTPDate.compact(window.end)
        return "\(prefix)-\(start)-\(end)"
    }
}

/// The 5-tuple parameters of `GET /v1/pcap`. They describe a conversation, so they match its
/// packets in both directions: `src=A&sport=X&dst=B&dport=Y` is `(src host A and src port X
/// and dst host B and dst port Y) or (src host B and src port Y and dst host A and dst port X)`.
/// `src`/`dst` take an address or a CIDR block; `proto` is `tcp`, `udp`, `icmp`, `icmp6` or
/// a number.
struct FlowParameters {
    var source: ClosedRange<IPAddress>?
    var destination: ClosedRange<IPAddress>?
    var sourcePort: UInt16?
    var destinationPort: UInt16?
    var proto: QueryExpression?

    init(_ parameters: Parameters) throws(HTTPError) {
        source = try Self.addresses(parameters, "src")
        destination = try Self.addresses(parameters, "dst")
        sourcePort = try Self.port(parameters, "sport")
        destinationPort = try Self.port(parameters, "dport")
        if let text = parameters["proto"] {
            switch text.lowercased() {
            case "tcp": proto = .ipProtocol(6)
            case "udp": proto = .ipProtocol(17)
            case "icmp": proto = .icmp
            case "icmp6", "ipv6-icmp": proto = .icmp6
            default:
                guard let number = UInt8(text) else {
                    throw HTTPError.invalidParameter("proto", "expected tcp, udp, icmp, icmp6 or a number 0-255, got '\(text.prefix(32))'")
                }
                proto = .ipProtocol(number)
            }
        }
    }

    /// The selection, or nil when no 5-tuple parameter is given.
    var expression: QueryExpression? {
        func side(_ addresses: ClosedRange<IPAddress>?, _ port: UInt16?, _ direction: QueryExpression.Direction) -> [QueryExpression] {
            (addresses.map { [.address(direction, $0)] } ?? []) + (port.map { [.port(direction, $0)] } ?? [])
        }
        let forward = side(source, sourcePort, .source) + side(destination, destinationPort, .destination)
        let backward = side(destination, destinationPort, .source) + side(source, sourcePort, .destination)
        var selection: QueryExpression?
        if let first = forward.first {
            let forwardExpression = forward.dropFirst().reduce(first) { .and($0, $1) }
            let backwardExpression = backward.dropFirst().reduce(backward[0]) { .and($0, $1) }
            selection = forwardExpression == backwardExpression ? forwardExpression : .or(forwardExpression, backwardExpression)
        }
        switch (selection, proto) {
        case let (selection?, proto?): return .and(selection, proto)
        case let (selection, proto): return selection ?? proto
        }
    }

    private static func addresses(_ parameters: Parameters, _ name: String) throws(HTTPError) -> ClosedRange<IPAddress>? {
        guard let text = parameters[name] else { return nil }
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else {
            throw HTTPError.invalidParameter(name, "expected an IP address or CIDR block, got '\(text.prefix(64))'")
        }
        guard parts.count == 2 else { return address...address }
        guard parts[1].count <= 3, let length = Int(parts[1]), (0...address.bitWidth).contains(length),
              parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw HTTPError.invalidParameter(name, "invalid prefix length in '\(text.prefix(64))'")
        }
        return address.prefixRange(length: length)
    }

    private static func port(_ parameters: Parameters, _ name: String) throws(HTTPError) -> UInt16? {
        guard let text = parameters[name] else { return nil }
        guard text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }), let port = UInt16(text) else {
            throw HTTPError.invalidParameter(name, "expected a port number 0-65535, got '\(text.prefix(32))'")
        }
        return port
    }
}
