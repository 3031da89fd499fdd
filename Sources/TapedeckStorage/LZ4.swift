import CLZ4

/// LZ4 block compression (liblz4's `LZ4_compress_default` / `LZ4_decompress_safe`).
enum LZ4 {
    /// The largest output `compress` can produce for `count` input bytes (`LZ4_compressBound`).
    static func compressBound(_ count: Int) -> Int {
        Int(LZ4_compressBound(Int32(count)))
    }

    /// Compresses `source` into `destination`; returns the compressed length, or nil if it
    /// does not fit (`LZ4_compress_default`).
    static func compress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) -> Int? {
        let written = LZ4_compress_default(
            source.baseAddress?.assumingMemoryBound(to: CChar.self),
            destination.baseAddress?.assumingMemoryBound(to: CChar.self),
            Int32(source.count), Int32(destination.count))
        return written > 0 ? Int(written) : nil
    }

    /// Decompresses `source` into `destination`, which must have exactly the original length;
    /// returns false on corrupt input (`LZ4_decompress_safe`).
    static func decompress(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableRawBufferPointer) -> Bool {
        let written = LZ4_decompress_safe(
            source.baseAddress?.assumingMemoryBound(to: CChar.self),
            destination.baseAddress?.assumingMemoryBound(to: CChar.self),
            Int32(source.count), Int32(destination.count))
        return written == destination.count
    }
}
