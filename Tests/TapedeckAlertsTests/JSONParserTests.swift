import Testing
@testable import TapedeckAlerts

@Suite("JSON parser")
struct JSONParserTests {
    private func parse(_ text: String) throws -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    @Test func parsesEveryKindOfValue() throws {
        let value = try parse(#" {"a": [1, -2.5e3, true, false, null], "b": {"c": "d"}, "e": ""} "#)
        #expect(value["a"] == .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null]))
        #expect(value["b"]?["c"]?.string == "d")
        #expect(value["e"]?.string == "")
        #expect(value.serialized == #"{"a":[1,-2.5e3,true,false,null],"b":{"c":"d"},"e":""}"#)
    }

    @Test func keepsLargeIntegersExactly() throws {
        let value = try parse(#"{"flow_id": 18446744073709551615, "small": -9223372036854775808}"#)
        #expect(value["flow_id"]?.uint64 == .max)
        #expect(value["flow_id"]?.int64 == nil)
        #expect(value["small"]?.int64 == .min)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try parse(#"["\"\\\/\b\f\n\r\t", "\u00e9\u20ac", "\ud83d\ude00", "é"]"#)
        guard case .array(let strings) = value else { Issue.record("not an array"); return }
        #expect(strings.map(\.string) == ["\"\\/\u{08}\u{0C}\n\r\t", "é€", "😀", "é"])
        #expect(JSONValue.string("a\"b\\c\u{01}").serialized == #""a\"b\\c\u0001""#)
    }

    @Test(arguments: [
        ("", 0, "no JSON value"),
        ("{", 1, "expected a string key"),
        (#"{"a" 1}"#, 5, "expected ':'"),
        (#"{"a":1,}"#, 7, "expected a string key"),
        ("[1 2]", 3, "expected ',' or ']'"),
        ("01", 0, "leading zeros"),
        ("1.", 2, "expected digits after '.'"),
        ("-", 1, "expected digits"),
        ("tru", 0, "invalid literal"),
        (#""abc"#, 0, "unterminated string"),
        ("\"a\u{01}\"", 2, "control character"),
        (#""\x""#, 1, "invalid escape"),
        (#""\ud83d""#, 7, "unpaired UTF-16 surrogate"),
        ("{} {}", 3, "unexpected text after"),
        ("@", 0, "unexpected character '@'"),
    ])
    func reportsErrorsWithTheirOffset(_ text: String, _ offset: Int, _ message: String) {
        #expect {
            try parse(text)
        } throws: { error in
            guard let error = error as? JSONSyntaxError else { return false }
            return error.offset == offset && error.message.contains(message)
        }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func limitsNesting() throws {
        let deep = String(repeating: "[", count: JSONParser.maximumDepth + 1) + String(repeating: "]", count: JSONParser.maximumDepth + 1)
        #expect(throws: JSONSyntaxError.self) { try parse(deep) }
        let allowed = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        _ = try parse(allowed)
        // Hostile input far beyond the limit fails quickly instead of exhausting the stack.
        #expect(throws: JSONSyntaxError.self) { try parse(String(repeating: "[", count: 1_000_000)) }
    }

    @Test func readsSequencesOfValues() throws {
        var parser = JSONParser(bytes: Array("{\"a\":1}\n{\"a\":2}\n\n".utf8))
        #expect(try parser.nextValue()?["a"]?.int64 == 1)
        #expect(try parser.nextValue()?["a"]?.int64 == 2)
        #expect(try parser.nextValue() == nil)
    }
}
