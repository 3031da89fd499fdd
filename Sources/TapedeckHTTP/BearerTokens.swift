/// The bearer tokens that may use the API (`Authorization: Bearer TOKEN`, RFC 6750), compared
/// in constant time.
public struct BearerTokens: Sendable {
    private let tokens: [[UInt8]]

    /// Tokens given in code; empty strings are dropped.
    public init(_ tokens: [String]) {
        self.tokens = tokens.filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    /// Reads a token file: one token per line; surrounding whitespace, empty lines and lines
    /// starting with `#` are ignored.
    public init(fileContents: [UInt8]) {
        let text = String(decoding: fileContents, as: UTF8.self)
        // `isNewline`: "\r\n" is one Character, so splitting on "\n" alone would miss it.
        self.init(text.split(whereSeparator: \.isNewline).map { String($0.trimmingASCIIWhitespace()) }
            .filter { !$0.hasPrefix("#") })
    }

    /// Whether there are no tokens (authentication is off).
    public var isEmpty: Bool { tokens.isEmpty }

    /// How many tokens there are.
    public var count: Int { tokens.count }

    /// Whether `authorization` (an `Authorization` header value) is `Bearer` with one of the
    /// tokens. Every token is compared in full, whatever matches, so that the time taken does
    /// not reveal how much of a guess was right.
    public func accepts(authorization: String?) -> Bool {
        guard let authorization else { return false }
        let bytes = Array(authorization.utf8)
        let scheme = Array("bearer ".utf8)
        guard bytes.count > scheme.count,
              zip(bytes, scheme).allSatisfy({ ($0 | 0x20) == $1 }) else { return false }
        let presented = bytes[scheme.count...].drop { $0 == 0x20 }
        var matched: UInt8 = 0
        for token in tokens {
            matched |= Self.constantTimeEqual(token, presented)
        }
        return matched == 1
    }

    /// 1 if equal, 0 if not, in time that depends only on the lengths.
    private static func constantTimeEqual(_ token: [UInt8], _ presented: ArraySlice<UInt8>) -> UInt8 {
        var difference = UInt8(truncatingIfNeeded: token.count ^ presented.count)
        if token.count != presented.count { difference |= 1 }
        var index = presented.startIndex
        for byte in token {
            let other = index < presented.endIndex ? presented[index] : ~byte
            difference |= byte ^ other
            if index < presented.endIndex { index += 1 }
        }
        return difference == 0 ? 1 : 0
    }
}
