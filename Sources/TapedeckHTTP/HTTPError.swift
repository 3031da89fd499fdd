import TapedeckAlerts

/// A request the server refuses, answered as JSON: `{"error": …, "detail": …, "position": …}`.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    /// The status, 4xx for client errors.
    public var status: HTTPStatus
    /// A short, stable summary, e.g. `invalid query`.
    public var error: String
    /// What exactly is wrong, for a person.
    public var detail: String
    /// For a query syntax error, the 0-based offset of the offending token in the query text.
    public var position: Int?
    /// Extra response headers, e.g. `Allow` or `Retry-After`.
    public var headers: HTTPHeaders
    /// Whether the connection must be closed after the response (the request's framing is
    /// broken, so the next request cannot be found).
    public var closesConnection: Bool

    public init(_ status: HTTPStatus, _ error: String, detail: String, position: Int? = nil,
                headers: HTTPHeaders = HTTPHeaders(), closesConnection: Bool = false) {
        self.status = status
        self.error = error
        self.detail = detail
        self.position = position
        self.headers = headers
        self.closesConnection = closesConnection
    }

    /// The JSON body.
    public var body: JSONValue {
        var members: [(key: String, value: JSONValue)] = [("error", .string(error)), ("detail", .string(detail))]
        if let position { members.append(("position", .integer(position))) }
        return .object(members)
    }

    public var description: String { "\(status): \(error): \(detail)" }

    /// 400 for a malformed request; the connection is closed.
    static func malformed(_ detail: String) -> HTTPError {
        HTTPError(.badRequest, "malformed request", detail: detail, closesConnection: true)
    }

    /// 400 for a query parameter or header that does not parse.
    static func invalidParameter(_ name: String, _ detail: String) -> HTTPError {
        HTTPError(.badRequest, "invalid parameter", detail: "\(name): \(detail)")
    }
}
