/// Why an alert could not be read or turned into a query, and where.
public struct AlertError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong, e.g. `'src_ip' is not an IP address: "10.0.0"`.
    public var message: String
    /// 0-based index of the alert in the input (array element or NDJSON record); nil when the
    /// input as a whole is at fault.
    public var alertIndex: Int?
    /// 0-based byte offset in the input, for JSON syntax errors.
    public var offset: Int?

    public init(message: String, alertIndex: Int? = nil, offset: Int? = nil) {
        self.message = message
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
