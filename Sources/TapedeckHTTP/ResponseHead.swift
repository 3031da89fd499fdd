import TapedeckAlerts
import TapedeckCore

/// The status line and header section of a response.
enum ResponseHead {
    /// `HTTP/1.1 <status>`, `Date`, `Server`, `headers`, and `Connection: close` unless the
    /// connection stays open (`Connection: keep-alive` for an HTTP/1.0 client that asked for it).
    static func render(_ status: HTTPStatus, _ headers: HTTPHeaders, keepAlive: Bool, minorVersion: Int) -> String {
        var head = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
        head += "Date: \(HTTPDate.format(.now()))\r\nServer: tapedeck\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !keepAlive {
            head += "Connection: close\r\n"
        } else if minorVersion == 0 {
            head += "Connection: keep-alive\r\n"
        }
        return head + "\r\n"
    }

    /// A whole JSON error response that closes the connection, for answers the connection
    /// reactor sends itself (malformed requests, timeouts, too many connections).
    static func closing(_ error: HTTPError) -> [UInt8] {
        let body = Array((error.body.serialized + "\n").utf8)
        var headers = error.headers
        headers.set("Content-Type", "application/json")
        headers.set("Content-Length", String(body.count))
        return Array(render(error.status, headers, keepAlive: false, minorVersion: 1).utf8) + body
    }
}
