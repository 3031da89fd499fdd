/// A JSON value (RFC 8259), as parsed by ``JSONParser`` and printed by ``serialized``.
///
/// Numbers keep their literal text, so that integers of any size (Suricata's 64-bit `flow_id`)
/// and decimals survive a round trip exactly; ask for them with ``int64``, ``uint64`` or
/// ``double``. Objects keep their members in order, duplicates included (lookups take the first).
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    /// A number, as its literal JSON text (e.g. `-1.5e3`).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// A number from an integer.
    public static func integer<Value: BinaryInteger>(_ value: Value) -> JSONValue { .number(String(value)) }

    /// A number from a double; non-finite values (which JSON cannot hold) become `null`.
    public static func double(_ value: Double) -> JSONValue { value.isFinite ? .number(String(value)) : .null }

    /// The member `key` of an object (the first, if repeated); nil for a missing key or a non-object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The string, if this is one.
    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The number as a signed 64-bit integer, if it is an integer literal in range.
    public var int64: Int64? {
        if case .number(let text) = self { return Int64(text) }
        return nil
    }

    /// The number as an unsigned 64-bit integer, if it is a non-negative integer literal in range.
    public var uint64: UInt64? {
        if case .number(let text) = self { return UInt64(text) }
        return nil
    }

    /// The number as a double, if this is a number.
    public var double: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }

    /// A short name of the value's type for messages: `null`, `a boolean`, `a number`, …
    public var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a), .number(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)): a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(serialized)
    }

    /// Compact JSON text: no whitespace, members in order, strings escaped as RFC 8259 requires
    /// (`"`, `\`, and control characters; everything else as UTF-8).
    public var serialized: String {
        var output = ""
        write(to: &output)
        return output
    }

    private func write(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let text): output += text
        case .string(let text): JSONValue.writeString(text, to: &output)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                element.write(to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { output += "," }
                JSONValue.writeString(member.key, to: &output)
                output += ":"
                member.value.write(to: &output)
            }
            output += "}"
        }
    }

    private static func writeString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
