/// The captured bytes of one packet as the decoder sees them: unchecked big-endian loads behind
/// an explicit bounds test (`contains`) that every caller makes before it reads.
///
/// Headers are only looked for in the first 65 535 bytes (``headerLimit``), so that every header
/// offset fits the `UInt16` offsets of ``DecodedPacket``; ``count`` is the full captured length.
struct PacketBytes {
    /// The first captured byte.
    let base: UnsafeRawPointer
    /// Number of captured bytes.
    let count: Int
    /// Number of bytes in which headers may lie: `min(count, 65_535)`.
    let headerLimit: Int

    @inline(__always)
    init(base: UnsafeRawPointer, count: Int) {
        self.base = base
        self.count = count
        headerLimit = min(count, Int(UInt16.max))
    }

    /// Whether `length` bytes starting at `offset` lie below `limit` (itself at most ``headerLimit``).
    @inline(__always)
    func contains(_ offset: Int, _ length: Int, below limit: Int) -> Bool {
        offset &+ length <= limit
    }

    /// Whether `length` bytes starting at `offset` lie within ``headerLimit``.
    @inline(__always)
    func contains(_ offset: Int, _ length: Int) -> Bool {
        offset &+ length <= headerLimit
    }

    @inline(__always)
    func uint8(at offset: Int) -> UInt8 {
        base.load(fromByteOffset: offset, as: UInt8.self)
    }

    @inline(__always)
    func uint16(at offset: Int) -> UInt16 {
        UInt16(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always)
    func uint32(at offset: Int) -> UInt32 {
        UInt32(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always)
    func uint64(at offset: Int) -> UInt64 {
        UInt64(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}
