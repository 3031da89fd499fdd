/// Writes ASCII text into raw memory: wire text built on a hot path (the headers of every
/// published message) without a `String` per field. The memory must be large enough for what
/// is written; writing past its end is a programming error and stops the process.
public struct ASCIIWriter {
    /// The memory written to.
    public let buffer: UnsafeMutableRawBufferPointer
    /// Bytes written so far, from the start of ``buffer``.
    public private(set) var count = 0

    /// A writer that starts at the beginning of `buffer`.
    public init(_ buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
    }

    /// Writes one byte.
    public mutating func write(_ byte: UInt8) {
        precondition(count < buffer.count, "ASCIIWriter: buffer of \(buffer.count) bytes is full")
        buffer[count] = byte
        count += 1
    }

    /// Writes the UTF-8 bytes of `text`.
    public mutating func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            precondition(count + bytes.count <= buffer.count, "ASCIIWriter: buffer of \(buffer.count) bytes is full")
            UnsafeMutableRawBufferPointer(rebasing: buffer[count..<count + bytes.count]).copyMemory(from: UnsafeRawBufferPointer(bytes))
            count += bytes.count
        }
    }

    /// Writes `value` (at most 64 bits wide) in decimal, with a leading `-` when negative.
    public mutating func write<Value: FixedWidthInteger>(decimal value: Value) {
        if value < 0 { write(UInt8(ascii: "-")) }
        let magnitude = UInt64(value.magnitude)
        var digits = 1
        var scale: UInt64 = 10
        while digits < 20, magnitude >= scale {
            digits += 1
            scale = scale &* 10
        }
        write(magnitude, digits: digits)
    }

    /// Writes `value` in decimal as exactly `digits` digits: zero-padded on the left, its
    /// highest digits dropped when it has more.
    public mutating func write(_ value: UInt64, digits: Int) {
        precondition(count + digits <= buffer.count, "ASCIIWriter: buffer of \(buffer.count) bytes is full")
        var value = value
        for index in stride(from: count + digits - 1, through: count, by: -1) {
            buffer[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10)
            value /= 10
        }
        count += digits
    }

    /// Writes `value` in lowercase hexadecimal as exactly `digits` digits, zero-padded on the left.
    public mutating func write(hexadecimal value: UInt64, digits: Int) {
        precondition(count + digits <= buffer.count, "ASCIIWriter: buffer of \(buffer.count) bytes is full")
        var value = value
        for index in stride(from: count + digits - 1, through: count, by: -1) {
            let nibble = UInt8(truncatingIfNeeded: value & 0xF)
            buffer[index] = nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &+ nibble &- 10
            value >>= 4
        }
        count += digits
    }
}

extension String {
    /// The text `write` writes with an ``ASCIIWriter`` into at most `capacity` bytes.
    public init(ascii capacity: Int, _ write: (inout ASCIIWriter) -> Void) {
        self.init(unsafeUninitializedCapacity: capacity) { buffer in
            var writer = ASCIIWriter(UnsafeMutableRawBufferPointer(buffer))
            write(&writer)
            return writer.count
        }
    }
}
