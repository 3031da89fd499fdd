import CCRC32C

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as used by iSCSI and ext4; computed
/// by the CPU's `crc32` instruction where there is one (`tapedeck_crc32c` in CCRC32C).
public enum CRC32C {
    /// The CRC of `bytes`, continuing from `crc` (the result of a previous call; 0 to start).
    @inlinable
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        tapedeck_crc32c(crc, bytes.baseAddress, bytes.count)
    }
}
