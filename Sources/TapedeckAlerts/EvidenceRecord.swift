import TapedeckCore
import TapedeckQuery

/// What an evidence pcap holds and why: the content of its JSON sidecar.
///
/// The sidecar is a JSON object: `id` (the file stem), `pcap` (the pcap's file name), `alerts`
/// (every alert of the flow, verbatim, in arrival order), `query` (the query that carved the
/// pcap), `granularity`, `window` (`start`, `end`), `packets`, `bytes` and `sha256` of the pcap,
/// `signature_id`, `flow_id` and `alert_time` of the first alert, and `written` (when the sidecar
/// was last written).
public struct EvidenceRecord: Equatable, Sendable {
    /// The file stem: `YYYYMMDDTHHMMSSZ_<signature_id>_<flow_id>` (see ``EvidenceName``).
    public var id: String
    /// The alerts of the flow, as they arrived.
    public var alerts: [JSONValue]
    /// The query that carved the pcap, in the query language.
    public var query: String
    /// The granularity of the query.
    public var granularity: AlertGranularity
    /// The padded window of the first alert.
    public var window: TimeWindow
    /// Packets in the pcap.
    public var packets: Int
    /// Size of the pcap file in bytes.
    public var bytes: Int
    /// SHA-256 of the pcap file, 64 lower-case hex digits.
    public var sha256: String
    /// The first alert's signature id (0 when it has none).
    public var signatureID: Int64
    /// The flow's id: Suricata's `flow_id`, else the stable hash of its 5-tuple.
    public var flowID: UInt64
    /// The first alert's time.
    public var alertTime: Timestamp
    /// When the sidecar was last written.
    public var written: Timestamp

    /// A record with every field given.
    public init(id: String, alerts: [JSONValue], query: String, granularity: AlertGranularity, window: TimeWindow,
                packets: Int, bytes: Int, sha256: String, signatureID: Int64, flowID: UInt64, alertTime: Timestamp,
                written: Timestamp) {
        self.id = id
        self.alerts = alerts
        self.query = query
        self.granularity = granularity
        self.window = window
        self.packets = packets
        self.bytes = bytes
        self.sha256 = sha256
        self.signatureID = signatureID
        self.flowID = flowID
        self.alertTime = alertTime
        self.written = written
    }

    /// The signature ids of all alerts (those that have one), in order, without repeats.
    public var signatureIDs: [Int64] {
        var seen = Set<Int64>()
        return alerts.compactMap { $0["alert"]?["signature_id"]?.int64 }.filter { seen.insert($0).inserted }
    }

    /// The times of all alerts that carry a readable `timestamp`.
    public var alertTimes: [Timestamp] {
        alerts.compactMap { $0["timestamp"]?.string.flatMap(TimeText.parseTime) }
    }

    /// The sidecar's JSON.
    public var json: JSONValue {
        .object(summaryMembers + [("alerts", .array(alerts))])
    }

    /// The sidecar without the alerts, plus their count and signature ids: one entry of
    /// `GET /v1/evidence`.
    public var summary: JSONValue {
        .object(summaryMembers + [("alert_count", .integer(alerts.count)),
                                  ("signature_ids", .array(signatureIDs.map { .integer($0) }))])
    }

    private var summaryMembers: [(key: String, value: JSONValue)] {
        [
            ("id", .string(id)), ("pcap", .string(id + ".pcap")),
            ("alert_time", .string(alertTime.description)),
            ("signature_id", .integer(signatureID)), ("flow_id", .integer(flowID)),
            ("granularity", .string(granularity.rawValue)), ("query", .string(query)),
            ("window", .object([("start", .string(window.start.description)), ("end", .string(window.end.description))])),
            ("packets", .integer(packets)), ("bytes", .integer(bytes)), ("sha256", .string(sha256)),
            ("written", .string(written.description)),
        ]
    }

    /// Reads a sidecar's JSON.
    /// - Throws: a message naming the member that is missing or malformed.
    public init(json: JSONValue) throws(EvidenceRecordError) {
        func member(_ key: String) throws(EvidenceRecordError) -> JSONValue {
            guard let value = json[key] else { throw EvidenceRecordError(message: "missing '\(key)'") }
            return value
        }
        func string(_ key: String) throws(EvidenceRecordError) -> String {
            guard let text = try member(key).string else { throw EvidenceRecordError(message: "'\(key)' is not a string") }
            return text
        }
        func time(_ value: JSONValue?, _ key: String) throws(EvidenceRecordError) -> Timestamp {
            guard let text = value?.string, let time = TimeText.parseTime(text) else {
                throw EvidenceRecordError(message: "'\(key)' is not a time")
            }
            return time
        }
        func integer(_ key: String) throws(EvidenceRecordError) -> Int64 {
            guard let number = try member(key).int64 else { throw EvidenceRecordError(message: "'\(key)' is not an integer") }
            return number
        }
        id = try string("id")
        guard EvidenceName.isValidStem(id) else { throw EvidenceRecordError(message: "'id' is not an evidence id") }
        guard case .array(let list) = try member("alerts") else { throw EvidenceRecordError(message: "'alerts' is not an array") }
        alerts = list
        query = try string("query")
        guard let granularity = AlertGranularity(rawValue: try string("granularity")) else {
            throw EvidenceRecordError(message: "'granularity' is not one of flow, hosts, src, dst")
        }
        self.granularity = granularity
        let window = try member("window")
        self.window = TimeWindow(start: try time(window["start"], "window.start"), end: try time(window["end"], "window.end"))
        packets = Int(try integer("packets"))
        bytes = Int(try integer("bytes"))
        sha256 = try string("sha256")
        signatureID = try integer("signature_id")
        guard let flowID = try member("flow_id").uint64 else { throw EvidenceRecordError(message: "'flow_id' is not an unsigned integer") }
        self.flowID = flowID
        alertTime = try time(json["alert_time"], "alert_time")
        written = try time(json["written"], "written")
    }
}
