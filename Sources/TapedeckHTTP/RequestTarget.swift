/// Splits a request target into a decoded path and query parameters (RFC 9112 §3.2).
enum RequestTarget {
    /// The path and query of `target`, in origin form (`/path?query`) or absolute form
    /// (`http://host/path?query`); `*` (asterisk form) has the path `*`.
    static func parse(_ target: String) throws(HTTPError) -> (path: String, query: [(name: String, value: String)]) {
        var rest = Substring(target)
        if rest == "*" { return ("*", []) }
        if !rest.hasPrefix("/") {
            let schemeEnd = rest.firstIndex(of: ":")
            guard let schemeEnd, schemeEnd > rest.startIndex, rest[..<schemeEnd].allSatisfy({ $0.isASCII && $0.isLetter }),
                  rest[schemeEnd...].hasPrefix("://") else {
                throw HTTPError.malformed("the request target must start with '/' (origin form) or be an absolute URI")
            }
            rest = rest[rest.index(schemeEnd, offsetBy: 3)...]
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
            if rest == "/", let question = target.firstIndex(of: "?") { rest = "/" + target[question...] }
        }
        guard !rest.contains("#") else { throw HTTPError.malformed("a request target must not contain a fragment ('#')") }
        let pathPart: Substring
        var query: [(name: String, value: String)] = []
        if let question = rest.firstIndex(of: "?") {
            pathPart = rest[..<question]
            query = try parseQuery(rest[rest.index(after: question)...])
        } else {
            pathPart = rest
        }
        guard let path = percentDecode(pathPart, plusIsSpace: false) else {
            throw HTTPError(.badRequest, "invalid request target", detail: "bad percent-encoding or UTF-8 in the path")
        }
        return (path, query)
    }

    /// `a=1&b=x+y&c` → `[(a, 1), (b, "x y"), (c, "")]`; empty pieces are skipped.
    static func parseQuery(_ text: Substring) throws(HTTPError) -> [(name: String, value: String)] {
        var items: [(name: String, value: String)] = []
        for piece in text.split(separator: "&", omittingEmptySubsequences: true) {
            let equals = piece.firstIndex(of: "=")
            let rawName = equals.map { piece[..<$0] } ?? piece
            let rawValue = equals.map { piece[piece.index(after: $0)...] } ?? ""
            guard let name = percentDecode(rawName, plusIsSpace: true), let value = percentDecode(rawValue, plusIsSpace: true) else {
                throw HTTPError(.badRequest, "invalid parameter",
                                detail: "bad percent-encoding or UTF-8 in the query parameter '\(String(rawName.prefix(64)))'")
            }
            items.append((name, value))
        }
        return items
    }

    /// Decodes `%XX` escapes (and `+` as a space, in query strings); nil for a malformed escape
    /// or bytes that are not UTF-8.
    static func percentDecode(_ text: Substring, plusIsSpace: Bool) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
