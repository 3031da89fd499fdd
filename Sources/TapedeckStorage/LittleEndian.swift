/// Little-endian encoding into a growable byte array, for headers and index sections.
struct LittleEndianWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func appendZeros(_ count: Int) {
        bytes.append(contentsOf: repeatElement(0, count: count))
    }

    /// Pads with zeros up to a multiple of `alignment`.
    mutating func align(to alignment: Int) {
        let rest = bytes.count % alignment
        if rest != 0 { appendZeros(alignment - rest) }
    }
}

extension UnsafeRawPointer {
    /// Loads a little-endian integer at `offset`, whatever the alignment.
    @inline(__always)
    func loadLittleEndian<T: FixedWidthInteger>(at offset: Int, as type: T.Type = T.self) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

extension UnsafeMutableRawPointer {
    /// Stores a little-endian integer at `offset`, whatever the alignment.
    @inline(__always)
    func storeLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }
}
