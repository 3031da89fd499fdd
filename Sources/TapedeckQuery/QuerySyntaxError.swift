/// Why a query could not be parsed, and where.
///
/// Positions count `Character`s (extended grapheme clusters) from the start of the query, so
/// that a caret lines up under the text as a terminal shows it; for ASCII queries they are byte
/// offsets too.
public struct QuerySyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, e.g. `expected an IP address after 'host'`.
    public var message: String
    /// The query text that was parsed.
    public var query: String
    /// 0-based offset of the offending token; `query.count` when the query ended too early.
    public var position: Int
    /// Length of the offending token in `Character`s; 0 at the end of the query.
    public var length: Int

    /// Creates an error for the token at `position` of length `length` in `query`.
    public init(message: String, query: String, position: Int, length: Int) {
        self.message = message
        self.query = query
        self.position = position
        self.length = length
    }

    /// 1-based column of the offending token.
    public var column: Int { position + 1 }

    /// One line: the message and the column, e.g. `expected an IP address after 'host' at column 6`.
    public var description: String { "\(message) at column \(column)" }

    /// Three lines: ``description``, the query (whitespace shown as spaces) and a marker under
    /// the offending token:
    ///
    ///     expected an IP address after 'host' at column 6
    ///     host 10.0.0.300
    ///          ^~~~~~~~~~
    public var rendered: String {
        let echo = String(query.map { $0.isWhitespace ? " " : $0 })
        let marker = String(repeating: " ", count: position) + "^"
            + String(repeating: "~", count: max(0, length - 1))
        return "\(description)\n\(echo)\n\(marker)"
    }
}
