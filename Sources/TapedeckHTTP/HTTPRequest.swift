/// A parsed HTTP/1.x request with its whole body.
public struct HTTPRequest: Sendable {
    /// The method token, e.g. `GET` (case-sensitive, RFC 9110 §9.1).
    public var method: String
    /// The request target as sent, e.g. `/v1/pcap?q=tcp`.
    public var target: String
    /// The percent-decoded path, e.g. `/v1/pcap`.
    public var path: String
    /// The query parameters, percent- and `+`-decoded, in order.
    public var queryItems: [(name: String, value: String)]
    /// The minor version of HTTP/1.x: 0 or 1.
    public var minorVersion: Int
    /// The header fields.
    public var headers: HTTPHeaders
    /// The body (de-chunked), empty when there is none.
    public var body: [UInt8]

    public init(method: String, target: String, path: String, queryItems: [(name: String, value: String)] = [],
                minorVersion: Int = 1, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.path = path
        self.queryItems = queryItems
        self.minorVersion = minorVersion
        self.headers = headers
        self.body = body
    }

    /// Whether the connection may carry another request after this one: HTTP/1.1 unless
    /// `Connection: close`; HTTP/1.0 only with `Connection: keep-alive` (RFC 9112 §9.3).
    public var keepAlive: Bool {
        if headers.containsToken("close", in: "Connection") { return false }
        return minorVersion >= 1 || headers.containsToken("keep-alive", in: "Connection")
    }

    /// The last value of query parameter `name`, if present.
    public func queryItem(_ name: String) -> String? {
        queryItems.last { $0.name == name }?.value
    }
}
