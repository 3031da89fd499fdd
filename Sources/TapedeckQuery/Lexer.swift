/// One lexical token of a query, with its place in the text.
struct Token: Hashable, Sendable {
    /// What kind of token this is.
    enum Kind: Hashable, Sendable {
        /// A run of characters other than whitespace and `( ) ! & | /`: a keyword, number,
        /// address, time or duration; the parser decides which from context.
        case word
        case leftParenthesis
        case rightParenthesis
        /// `!`
        case bang
        /// `&&`
        case doubleAmpersand
        /// `||`
        case doubleBar
        /// `/`, between a network address and its prefix length.
        case slash
        /// The end of the query (length 0).
        case end
    }

    var kind: Kind
    /// The token's text as written.
    var text: String
    /// 0-based `Character` offset in the query.
    var position: Int
    /// Length in `Character`s.
    var length: Int

    /// The text in lower case, for case-insensitive keyword comparison.
    var keyword: String { text.lowercased() }
}

/// Splits query text into ``Token``s.
///
/// Punctuation (`( ) ! && || /`) stands alone, whitespace only separates, and everything else
/// forms words; so `!tcp`, `(host 10.0.0.1)` and `net 10.0.0.0 / 8` lex as expected, while IPv6
/// addresses and RFC 3339 times (with `:`, `-`, `+`, `.`) stay one word.
enum Lexer {
    /// Tokenizes `query`; the last token is always `.end`.
    static func tokenize(_ query: String) throws(QuerySyntaxError) -> [Token] {
        let characters = Array(query)
        var tokens: [Token] = []
        var index = 0
        func add(_ kind: Token.Kind, length: Int) {
            tokens.append(Token(kind: kind, text: String(characters[index..<index + length]), position: index, length: length))
            index += length
        }
        while index < characters.count {
            let character = characters[index]
            let next: Character? = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case _ where character.isWhitespace:
                index += 1
            case "(": add(.leftParenthesis, length: 1)
            case ")": add(.rightParenthesis, length: 1)
            case "!": add(.bang, length: 1)
            case "/": add(.slash, length: 1)
            case "&" where next == "&": add(.doubleAmpersand, length: 2)
            case "|" where next == "|": add(.doubleBar, length: 2)
            case "&", "|":
                throw QuerySyntaxError(message: "unexpected '\(character)'; write '\(character)\(character)' or '\(character == "&" ? "and" : "or")'",
                                       query: query, position: index, length: 1)
            default:
                var end = index
                while end < characters.count, !isDelimiter(characters[end]) { end += 1 }
                add(.word, length: end - index)
            }
        }
        tokens.append(Token(kind: .end, text: "", position: characters.count, length: 0))
        return tokens
    }

    private static func isDelimiter(_ character: Character) -> Bool {
        character.isWhitespace || "()!&|/".contains(character)
    }
}
