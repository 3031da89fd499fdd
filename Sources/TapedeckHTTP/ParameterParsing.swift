import TapedeckCore
import TapedeckQuery

/// Parsing of query parameters and headers into typed values, with `400` errors that name
/// the parameter.
struct Parameters {
    private let items: [(name: String, value: String)]
    private let path: String

    /// The parameters of `request`; fails if one is not in `allowed` or appears twice.
    init(_ request: HTTPRequest, allowed: Set<String>) throws(HTTPError) {
        var seen = Set<String>()
        for item in request.queryItems {
            guard allowed.contains(item.name) else {
                throw HTTPError.invalidParameter(String(item.name.prefix(64)),
                                                 "unknown parameter for \(request.path) (known: \(allowed.sorted().joined(separator: ", ")))")
            }
            guard seen.insert(item.name).inserted else { throw HTTPError.invalidParameter(item.name, "given more than once") }
        }
        items = request.queryItems
        path = request.path
    }

    /// The raw value of `name`.
    subscript(name: String) -> String? {
        items.first { $0.name == name }?.value
    }

    /// A non-negative integer.
    func count(_ name: String) throws(HTTPError) -> Int? {
        guard let text = self[name] else { return nil }
        return try Parameters.count(text, name: name)
    }

    /// A non-negative decimal integer (a limit), from a parameter or header named `name`.
    static func count(_ text: String, name: String) throws(HTTPError) -> Int {
        let trimmed = text.trimmingASCIIWhitespace()
        guard !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw HTTPError.invalidParameter(name, "expected a non-negative integer, got '\(text.prefix(32))'")
        }
        return Int(trimmed) ?? .max
    }

    /// A duration (`90s`, `5m`, `1h30m`) in nanoseconds.
    func duration(_ name: String) throws(HTTPError) -> Int64? {
        guard let text = self[name] else { return nil }
        guard let value = TimeText.parseDuration(text) else {
            throw HTTPError.invalidParameter(name, "expected a duration like 90s, 5m or 1h30m, got '\(text.prefix(32))'")
        }
        return value
    }

    /// A time: RFC 3339 (`2024-05-01T10:00:00Z`), `now`, or `-DURATION` before now (`-5m`).
    func time(_ name: String, now: Timestamp) throws(HTTPError) -> Timestamp? {
        guard let text = self[name] else { return nil }
        if text == "now" { return now }
        if text.hasPrefix("-"), let duration = TimeText.parseDuration(String(text.dropFirst())) {
            return now.advanced(byNanoseconds: -duration)
        }
        guard let time = TimeText.parseTime(text) else {
            throw HTTPError.invalidParameter(name, "expected an RFC 3339 time (2024-05-01T10:00:00Z), 'now' or -DURATION (-5m), got '\(text.prefix(40))'")
        }
        return time
    }

    /// One of `choices`.
    func choice<Choice: RawRepresentable & CaseIterable>(_ name: String, _ type: Choice.Type) throws(HTTPError) -> Choice?
    where Choice.RawValue == String {
        guard let text = self[name] else { return nil }
        guard let value = Choice(rawValue: text) else {
            throw HTTPError.invalidParameter(name, "expected one of \(Choice.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text.prefix(32))'")
        }
        return value
    }

    /// The output options shared by every pcap route: `format`, `precision`, `limit_packets`,
    /// `limit_bytes`.
    static let outputNames: Set<String> = ["format", "precision", "limit_packets", "limit_bytes"]

    /// Applies the output options to `pcap`.
    func applyOutputOptions(to pcap: inout PcapRequest) throws(HTTPError) {
        pcap.format = try choice("format", PcapRequest.Format.self)
        if let precision = try choice("precision", PrecisionName.self) {
            pcap.precision = precision == .ns ? .nanoseconds : .microseconds
        }
        pcap.limits = QueryLimits(maxPackets: try count("limit_packets"), maxBytes: try count("limit_bytes"))
    }

    /// Names of the timestamp precisions.
    enum PrecisionName: String, CaseIterable {
        case ns, us
    }
}
