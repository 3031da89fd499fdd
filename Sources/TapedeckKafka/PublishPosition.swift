/// Where a publishable unit comes from, in the caller's terms: positions only grow, and the
/// durable cursor remembers the highest one up to which Kafka acknowledged everything.
///
/// A flow publisher might use a sequence number it derives from the store (segment and block,
/// say); the cursor file stores ``cursorText``, so a position must survive the round trip
/// through it.
public protocol PublishPosition: Comparable, Sendable {
    /// The position as one line of text without spaces, for the cursor file.
    var cursorText: String { get }
    /// Parses ``cursorText``; nil when the text is not a position.
    init?(cursorText: String)
}

extension UInt64: PublishPosition {
    /// The decimal number.
    public var cursorText: String { String(self) }

    /// Parses a decimal number.
    public init?(cursorText: String) {
        self.init(cursorText, radix: 10)
    }
}
