/// Parses one HTTP/1.x request at a time out of a connection's receive buffer, incrementally:
/// call ``parse(_:)`` whenever bytes arrive; it remembers how far it got.
///
/// Strict where leniency enables request smuggling (RFC 9112 §6.3, §11.2): lines end with CRLF
/// (a bare CR or LF is an error), no whitespace between a field name and its colon, no line
/// folding, `Transfer-Encoding` together with `Content-Length` is rejected, as is
/// `Transfer-Encoding` in HTTP/1.0, a final coding other than `chunked`, and a `Content-Length`
/// that is not one decimal number. HTTP/1.1 requests need exactly one `Host`.
struct RequestParser {
    /// How a request's body is delimited.
    private enum Framing {
        case none
        case length(Int)
        case chunked(ChunkedDecoder)
    }

    /// What ``parse(_:)`` found.
    enum Progress {
        /// The request is incomplete.
        case needMore
        /// A whole request occupying `buffer[..<consumed]`.
        case complete(HTTPRequest, consumed: Int)
    }

    let limits: RequestLimits
    private var headStart: Int?
    private var lineStart = 0
    private var scanned = 0
    private var head: HTTPRequest?
    private var bodyStart = 0
    private var framing = Framing.none
    private var chunkPosition = 0
    /// Set once the head is parsed if the client waits for `100 Continue` before sending the body.
    private(set) var expectsContinue = false

    init(limits: RequestLimits) {
        self.limits = limits
    }

    /// Whether the head has been parsed and the body is being read.
    var isReadingBody: Bool { head != nil }

    /// Parses what `buffer` holds of the request that starts at its first byte.
    mutating func parse(_ buffer: [UInt8]) throws(HTTPError) -> Progress {
        if head == nil {
            guard let headEnd = try findHeadEnd(buffer) else { return .needMore }
            try parseHead(buffer, end: headEnd)
        }
        guard var request = head else { return .needMore }
        switch framing {
        case .none:
            return .complete(request, consumed: bodyStart)
        case .length(let length):
            guard buffer.count - bodyStart >= length else { return .needMore }
            request.body = Array(buffer[bodyStart..<bodyStart + length])
            return .complete(request, consumed: bodyStart + length)
        case .chunked(var decoder):
            try decoder.decode(buffer, position: &chunkPosition, limits: limits)
            framing = .chunked(decoder)
            guard decoder.isComplete else { return .needMore }
            request.body = decoder.body
            return .complete(request, consumed: chunkPosition)
        }
    }

    /// The index just past the empty line that ends the head, nil if it has not arrived. Up to
    /// four empty lines before the request line are skipped (RFC 9112 §2.2). Each byte is
    /// examined once however the head trickles in.
    private mutating func findHeadEnd(_ buffer: [UInt8]) throws(HTTPError) -> Int? {
        if headStart == nil {
            var start = 0
            while start + 1 < buffer.count, buffer[start] == 0x0D, buffer[start + 1] == 0x0A, start < 8 { start += 2 }
            guard start < buffer.count, !(buffer[start] == 0x0D && start + 1 == buffer.count) else { return nil }
            headStart = start
            lineStart = start
            scanned = start
        }
        guard let headStart else { return nil }
        var index = scanned
        while index < buffer.count {
            let byte = buffer[index]
            if byte == 0x0A {
                guard index > headStart, buffer[index - 1] == 0x0D else {
                    throw HTTPError.malformed("bare LF in the request head (lines end with CRLF)")
                }
                if index - 1 == lineStart {
                    guard lineStart > headStart else { throw HTTPError.malformed("empty request line") }
                    return index + 1
                }
                lineStart = index + 1
            } else if index > headStart, buffer[index - 1] == 0x0D {
                throw HTTPError.malformed("bare CR in the request head")
            }
            index += 1
            if lineStart == headStart, index - headStart > limits.requestLineBytes + 1 {
                throw HTTPError(.uriTooLong, "request line too long",
                                detail: "the request line exceeds \(limits.requestLineBytes) bytes", closesConnection: true)
            }
            if index - headStart > limits.requestLineBytes + limits.headerBytes + 4 {
                throw HTTPError(.requestHeaderFieldsTooLarge, "header section too large",
                                detail: "the header section exceeds \(limits.headerBytes) bytes", closesConnection: true)
            }
        }
        scanned = index
        return nil
    }

    private mutating func parseHead(_ buffer: [UInt8], end: Int) throws(HTTPError) {
        var lines = buffer[(headStart ?? 0)..<end - 4].split(separator: 0x0D, omittingEmptySubsequences: false).map { line in
            line.first == 0x0A ? line.dropFirst() : line
        }
        let requestLine = lines.removeFirst()
        guard requestLine.count <= limits.requestLineBytes else {
            throw HTTPError(.uriTooLong, "request line too long",
                            detail: "the request line exceeds \(limits.requestLineBytes) bytes", closesConnection: true)
        }
        var request = try Self.parseRequestLine(requestLine)
        guard lines.count <= limits.headerCount else {
            throw HTTPError(.requestHeaderFieldsTooLarge, "too many header fields",
                            detail: "more than \(limits.headerCount) header fields", closesConnection: true)
        }
        guard lines.reduce(0, { $0 + $1.count + 2 }) <= limits.headerBytes else {
            throw HTTPError(.requestHeaderFieldsTooLarge, "header section too large",
                            detail: "the header section exceeds \(limits.headerBytes) bytes", closesConnection: true)
        }
        for line in lines { try Self.parseField(line, into: &request.headers) }
        if request.minorVersion == 1 {
            guard request.headers.values("Host").count == 1 else {
                throw HTTPError.malformed("an HTTP/1.1 request needs exactly one Host header field")
            }
        }
        framing = try framing(of: request)
        expectsContinue = request.minorVersion == 1 && request.headers.containsToken("100-continue", in: "Expect")
        bodyStart = end
        chunkPosition = end
        head = request
    }

    private func framing(of request: HTTPRequest) throws(HTTPError) -> Framing {
        let encodings = request.headers.values("Transfer-Encoding")
        let lengths = request.headers.values("Content-Length")
        if !encodings.isEmpty {
            guard lengths.isEmpty else {
                throw HTTPError.malformed("both Transfer-Encoding and Content-Length are present")
            }
            guard request.minorVersion == 1 else { throw HTTPError.malformed("Transfer-Encoding in an HTTP/1.0 request") }
            let codings = encodings.flatMap { $0.split(separator: ",") }.map { $0.trimmingASCIIWhitespace().lowercased() }
            guard codings.last == "chunked" else {
                throw HTTPError.malformed("the final transfer coding must be chunked")
            }
            if let other = codings.dropLast().first {
                throw HTTPError(.notImplemented, "unsupported transfer coding",
                                detail: "transfer coding '\(other.prefix(64))' is not supported (only chunked)", closesConnection: true)
            }
            return .chunked(ChunkedDecoder())
        }
        guard !lengths.isEmpty else { return .none }
        let values = lengths.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map { $0.trimmingASCIIWhitespace() }
        guard let first = values.first, values.allSatisfy({ $0 == first }), !first.isEmpty,
              first.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw HTTPError.malformed("invalid Content-Length")
        }
        guard first.count <= 18, let length = Int(first), length <= limits.bodyBytes else {
            throw HTTPError(.payloadTooLarge, "request body too large",
                            detail: "the body exceeds \(limits.bodyBytes) bytes", closesConnection: true)
        }
        return length == 0 ? .none : .length(length)
    }

    /// `METHOD SP request-target SP HTTP/1.x`.
    static func parseRequestLine(_ line: ArraySlice<UInt8>) throws(HTTPError) -> HTTPRequest {
        let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw HTTPError.malformed("the request line must be 'METHOD TARGET HTTP/1.1'")
        }
        guard parts[0].allSatisfy(isTokenCharacter) else { throw HTTPError.malformed("invalid method") }
        guard parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw HTTPError.malformed("invalid character in the request target")
        }
        let version = String(decoding: parts[2], as: UTF8.self)
        let minorVersion: Int
        switch version {
        case "HTTP/1.1": minorVersion = 1
        case "HTTP/1.0": minorVersion = 0
        default:
            let bytes = Array(parts[2])
            if bytes.count == 8, version.hasPrefix("HTTP/"), bytes[6] == UInt8(ascii: "."),
               [bytes[5], bytes[7]].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                throw HTTPError(.httpVersionNotSupported, "HTTP version not supported",
                                detail: "\(version) is not supported; use HTTP/1.1", closesConnection: true)
            }
            throw HTTPError.malformed("invalid HTTP version '\(version.prefix(16))'")
        }
        let target = String(decoding: parts[1], as: UTF8.self)
        let (path, query) = try RequestTarget.parse(target)
        return HTTPRequest(method: String(decoding: parts[0], as: UTF8.self), target: target, path: path,
                           queryItems: query, minorVersion: minorVersion)
    }

    /// `name: OWS value OWS`.
    static func parseField(_ line: ArraySlice<UInt8>, into headers: inout HTTPHeaders) throws(HTTPError) {
        guard let first = line.first else { throw HTTPError.malformed("empty header line") }
        guard first != 0x20, first != 0x09 else { throw HTTPError.malformed("obsolete line folding in the header section") }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else {
            throw HTTPError.malformed("a header line without a field name and ':'")
        }
        let name = line[..<colon]
        guard name.allSatisfy(isTokenCharacter) else {
            throw HTTPError.malformed("invalid header field name '\(String(decoding: name.prefix(64), as: UTF8.self))'")
        }
        var value = line[(colon + 1)...]
        while let byte = value.first, byte == 0x20 || byte == 0x09 { value = value.dropFirst() }
        value = value.trimmingTrailingWhitespace()
        guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
            throw HTTPError.malformed("control character in the value of header field '\(String(decoding: name, as: UTF8.self))'")
        }
        headers.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// RFC 9110 `tchar`.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
