import TapedeckCore

/// The headers of one message packed in one buffer the way producing reads them, so that a
/// message's headers cost one allocation to build and none to produce.
///
/// For each header, in order: the name's UTF-8 bytes and a 0 byte (librdkafka takes names as C
/// strings), the value's length as a little-endian `UInt32` (`UInt32.max` for a null value), and
/// the value's bytes. Iterating yields the headers as ``KafkaHeader`` values.
public struct KafkaHeaderBlock: Hashable, Sendable, Sequence, ExpressibleByArrayLiteral {
    private var storage: [UInt8] = []
    /// Number of headers.
    public private(set) var count = 0
    /// Bytes of the names and values: what counts against `message.max.bytes`.
    public private(set) var byteCount = 0

    private static let nullLength = UInt32.max

    /// No headers, with room for `capacity` bytes of them (names and values plus 5 bytes each).
    public init(capacity: Int = 0) {
        storage.reserveCapacity(capacity)
    }

    /// `headers`, in order.
    public init(_ headers: [KafkaHeader]) {
        for header in headers { append(header) }
    }

    /// The headers of the literal, in order.
    public init(arrayLiteral headers: KafkaHeader...) {
        self.init(headers)
    }

    /// Appends `header`.
    public mutating func append(_ header: KafkaHeader) {
        if let value = header.value { append(name: header.name, value: value) } else { appendName(header.name, valueLength: nil) }
    }

    /// Appends a header named `name` whose value is `value`'s bytes.
    public mutating func append(name: String, value: some Collection<UInt8>) {
        appendName(name, valueLength: value.count)
        storage.append(contentsOf: value)
    }

    /// Appends a header named `name` whose value `write` writes, at most `maximumLength` bytes.
    public mutating func append(name: String, maximumLength: Int, _ write: (inout ASCIIWriter) -> Void) {
        appendName(name, valueLength: 0)
        let lengthOffset = storage.count - 4
        let start = storage.count
        storage.append(contentsOf: repeatElement(0, count: maximumLength))
        let written = storage.withUnsafeMutableBytes { bytes in
            var writer = ASCIIWriter(UnsafeMutableRawBufferPointer(rebasing: bytes[start..<start + maximumLength]))
            write(&writer)
            return writer.count
        }
        storage.removeLast(maximumLength - written)
        storage.withUnsafeMutableBytes { $0.storeBytes(of: UInt32(written).littleEndian, toByteOffset: lengthOffset, as: UInt32.self) }
        byteCount += written
    }

    /// Appends the name, up to a NUL byte if it has one (librdkafka reads it as a C string), and
    /// the value's length.
    private mutating func appendName(_ name: String, valueLength: Int?) {
        let nameBytes = name.utf8.prefix { $0 != 0 }
        storage.append(contentsOf: nameBytes)
        storage.append(0)
        let length = valueLength.map { UInt32($0) } ?? Self.nullLength
        Swift.withUnsafeBytes(of: length.littleEndian) { storage.append(contentsOf: $0) }
        count += 1
        byteCount += nameBytes.count + (valueLength ?? 0)
    }

    /// Calls `body` with the packed bytes, borrowed for the duration of the call (see
    /// ``forEachHeader(in:_:)``).
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        storage.withUnsafeBytes(body)
    }

    /// Calls `visit` with the name (a C string) and value (nil for a null value) of each header
    /// packed in `bytes`, pointing into `bytes`.
    static func forEachHeader(in bytes: UnsafeRawBufferPointer,
                              _ visit: (_ name: UnsafePointer<CChar>, _ value: UnsafeRawBufferPointer?) -> Void) {
        var offset = 0
        while offset < bytes.count {
            let name = (bytes.baseAddress! + offset).assumingMemoryBound(to: CChar.self)
            while bytes[offset] != 0 { offset += 1 }
            let length = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 1, as: UInt32.self))
            offset += 5
            if length == nullLength {
                visit(name, nil)
            } else {
                visit(name, UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + Int(length)]))
                offset += Int(length)
            }
        }
    }

    /// The headers as ``KafkaHeader`` values, in order.
    public func makeIterator() -> IndexingIterator<[KafkaHeader]> {
        var headers: [KafkaHeader] = []
        headers.reserveCapacity(count)
        storage.withUnsafeBytes { bytes in
            Self.forEachHeader(in: bytes) { name, value in
                headers.append(KafkaHeader(name: String(cString: name), value: value.map(Array.init)))
            }
        }
        return headers.makeIterator()
    }

    public var underestimatedCount: Int { count }
}
