import TapedeckPOSIX

/// The evidence consumer's counters. The consumer writes them into the evidence directory
/// (``fileName``) about once a second, so that `/v1/stats` and `/metrics` of any server given
/// the directory report them.
public struct EvidenceStatistics: Equatable, Sendable {
    /// Messages consumed from the alerts topic.
    public var consumed = 0
    /// EVE records of other event types (`flow`, `dns`, …), skipped.
    public var ignored = 0
    /// Alerts that cannot be served, by reason; each was logged and skipped.
    public var rejected: [AlertError.Reason: Int] = [:]
    /// Evidence files (pcap and sidecar) written.
    public var written = 0
    /// Alerts added to the evidence of their flow (its sidecar rewritten).
    public var merged = 0
    /// Alerts already in a sidecar (redelivered after a restart), nothing written.
    public var redelivered = 0
    /// Alerts whose window retention had deleted (ended before the store's oldest packet).
    public var expired = 0
    /// Alerts whose window held no packet of theirs; nothing written.
    public var empty = 0
    /// Attempts that failed on the store or the evidence directory (retried).
    public var failures = 0
    /// Evidence notifications published to Kafka.
    public var notified = 0
    /// Evidence deleted by `--evidence-max-age`.
    public var pruned = 0
    /// Alerts waiting for their window to complete now.
    public var pending = 0

    /// No counts.
    public init() {}

    /// The file in the evidence directory that holds the counters (hidden, so not evidence).
    public static let fileName = ".evidence-stats.json"

    /// Alerts rejected for any reason.
    public var rejectedTotal: Int { rejected.values.reduce(0, +) }

    /// The counters as JSON (the `evidence` member of `/v1/stats`).
    public var json: JSONValue {
        .object([
            ("consumed", .integer(consumed)), ("ignored", .integer(ignored)), ("written", .integer(written)),
            ("merged", .integer(merged)), ("redelivered", .integer(redelivered)), ("expired", .integer(expired)),
            ("empty", .integer(empty)), ("failures", .integer(failures)), ("notified", .integer(notified)),
            ("pruned", .integer(pruned)), ("pending", .integer(pending)),
            ("rejected", .object(AlertError.Reason.allCases.map { ($0.rawValue, .integer(rejected[$0] ?? 0)) })),
        ])
    }

    /// Counters from their JSON; members that are missing or not integers count 0.
    public init(json: JSONValue) {
        func count(_ key: String) -> Int { json[key]?.int64.map { Int($0) } ?? 0 }
        consumed = count("consumed")
        ignored = count("ignored")
        written = count("written")
        merged = count("merged")
        redelivered = count("redelivered")
        expired = count("expired")
        empty = count("empty")
        failures = count("failures")
        notified = count("notified")
        pruned = count("pruned")
        pending = count("pending")
        for reason in AlertError.Reason.allCases {
            if let value = json["rejected"]?[reason.rawValue]?.int64, value > 0 { rejected[reason] = Int(value) }
        }
    }

    /// The counters the consumer last wrote into the evidence directory `path`; nil when it has
    /// written none (or the file is not JSON).
    public static func read(fromDirectory path: String) -> EvidenceStatistics? {
        guard let bytes = try? FileSystem.readWholeFile("\(path)/\(fileName)"), bytes.count <= 1 << 20,
              let json = try? JSONParser.parse(bytes), case .object = json else { return nil }
        return EvidenceStatistics(json: json)
    }

    /// Writes the counters into the evidence directory `path`, atomically.
    public func write(toDirectory path: String) throws(Errno) {
        try FileSystem.writeAtomically(directory: path, name: Self.fileName, bytes: Array((json.serialized + "\n").utf8))
    }
}
