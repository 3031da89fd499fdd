/// One Kafka message header: a name and a byte value (Kafka allows repeated names and null values;
/// Tapedeck writes each name once, with a UTF-8 value).
public struct KafkaHeader: Hashable, Sendable, CustomStringConvertible {
    /// The header name, e.g. `tapedeck-flow-id`.
    public var name: String
    /// The value bytes; nil for a null value.
    public var value: [UInt8]?

    /// Creates a header with a byte value.
    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    /// Creates a header whose value is the UTF-8 bytes of `string`.
    public init(name: String, string: String) {
        self.init(name: name, value: Array(string.utf8))
    }

    /// The value decoded as UTF-8, nil for a null value.
    public var stringValue: String? { value.map { String(decoding: $0, as: UTF8.self) } }

    public var description: String { "\(name)=\(stringValue ?? "null")" }
}
