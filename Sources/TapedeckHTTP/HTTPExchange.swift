import TapedeckAlerts
import TapedeckCore

/// One request and its response, as a route handler sees them: the request, and ways to answer
/// with a whole body or to stream one. The response head is written once; for `HEAD` requests
/// bodies are left out (fixed bodies keep their `Content-Length`).
final class HTTPExchange {
    /// The request.
    let request: HTTPRequest
    /// Where the response goes.
    let output: ConnectionOutput
    /// Whether the connection may stay open after this response (the server clears it when it
    /// is shutting down).
    private(set) var keepAlive: Bool
    /// The status sent, once the head is out.
    private(set) var status: HTTPStatus?
    /// Whether the response body is delimited by closing the connection.
    private var closeDelimited = false

    init(request: HTTPRequest, output: ConnectionOutput, keepAlive: Bool) {
        self.request = request
        self.output = output
        self.keepAlive = keepAlive && request.keepAlive
    }

    /// Whether the request is `HEAD`: headers only.
    var isHead: Bool { request.method == "HEAD" }

    /// Whether the head has been written (an error can then no longer be reported as a status).
    var responseStarted: Bool { status != nil }

    /// Sends a whole response.
    func respond(_ status: HTTPStatus, contentType: String, body: [UInt8], headers: HTTPHeaders = HTTPHeaders()) throws(OutputError) {
        var headers = headers
        headers.set("Content-Type", contentType)
        headers.set("Content-Length", String(body.count))
        try writeHead(status, headers)
        if !isHead { try output.write(body) }
        try output.flush()
    }

    /// Sends `json` (compact, with a trailing newline) as `application/json`.
    func respond(_ status: HTTPStatus = .ok, json: JSONValue, headers: HTTPHeaders = HTTPHeaders()) throws(OutputError) {
        try respond(status, contentType: "application/json", body: Array((json.serialized + "\n").utf8), headers: headers)
    }

    /// Sends `error` as its JSON body; the connection closes afterwards if the error says so.
    func respond(_ error: HTTPError) throws(OutputError) {
        if error.closesConnection { keepAlive = false }
        try respond(error.status, json: error.body, headers: error.headers)
    }

    /// Sends the head of a streamed response and returns the sink for its body: chunked for
    /// HTTP/1.1, delimited by closing the connection for HTTP/1.0. Call
    /// ``ResponseBodySink/finish()`` when done; for `HEAD` the head is sent at once and there
    /// is no body to finish.
    func startStream(_ status: HTTPStatus, contentType: String, headers: HTTPHeaders = HTTPHeaders()) throws(OutputError) -> ResponseBodySink {
        var headers = headers
        headers.set("Content-Type", contentType)
        let chunked = request.minorVersion >= 1
        if chunked {
            headers.set("Transfer-Encoding", "chunked")
        } else if !isHead {
            closeDelimited = true
            keepAlive = false
        }
        try writeHead(status, headers)
        if isHead { try output.flush() }
        return ResponseBodySink(output: output, chunked: chunked)
    }

    private func writeHead(_ status: HTTPStatus, _ headers: HTTPHeaders) throws(OutputError) {
        precondition(self.status == nil, "response head written twice")
        self.status = status
        try output.write(ResponseHead.render(status, headers, keepAlive: keepAlive, minorVersion: request.minorVersion))
    }
}
