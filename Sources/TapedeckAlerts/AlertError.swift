/// Why an alert could not be read or turned into a query, and where.
public struct AlertError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of fault, for counting rejected alerts per reason (`/v1/stats`, `/metrics`).
    public enum Reason: String, CaseIterable, Sendable {
        /// The input is not JSON.
        case malformedJSON = "malformed_json"
        /// The JSON is not an object, or a member has the wrong type.
        case invalidField = "invalid_field"
        /// A required member (`timestamp`, `src_ip`, `dest_ip`, `proto`) is missing.
        case missingField = "missing_field"
        /// `timestamp` or `flow.start` is not a time.
        case invalidTimestamp = "invalid_timestamp"
        /// `src_ip`/`dest_ip` is not an address, or the two are of different IP versions.
        case invalidAddress = "invalid_address"
        /// `src_port`/`dest_port` is not a port number.
        case invalidPort = "invalid_port"
        /// `proto` is neither a known protocol name nor a number 0-255.
        case unknownProtocol = "unknown_protocol"
        /// `event_type` is not `alert`.
        case notAnAlert = "not_an_alert"
    }

    /// What is wrong, e.g. `'src_ip' is not an IP address: "10.0.0"`.
    public var message: String
    /// The kind of fault.
    public var reason: Reason
    /// 0-based index of the alert in the input (array element or NDJSON record); nil when the
    /// input as a whole is at fault.
    public var alertIndex: Int?
    /// 0-based byte offset in the input, for JSON syntax errors.
    public var offset: Int?

    public init(message: String, reason: Reason = .invalidField, alertIndex: Int? = nil, offset: Int? = nil) {
        self.message = message
        self.reason = reason
        self.alertIndex = alertIndex
        self.offset = offset
    }

    public var description: String {
        var text = alertIndex.map { "alert \($0): " } ?? ""
        text += message
        if let offset { text += " (at byte \(offset))" }
        return text
    }
}
