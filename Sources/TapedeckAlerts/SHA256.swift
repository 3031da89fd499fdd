import CSHA256

/// SHA-256 (FIPS 180-4), for the digest of each evidence pcap in its sidecar (Foundation on
/// Linux has no CryptoKit): `tapedeck_sha256` in C, with the x86 SHA extensions when the CPU
/// has them.
public enum SHA256 {
    /// The digest of `bytes` as 64 lower-case hex digits.
    public static func hex(_ bytes: [UInt8]) -> String {
        hex(bytes, tapedeck_sha256)
    }

    /// The digest computed by portable C only, whatever the CPU (for tests).
    static func portableHex(_ bytes: [UInt8]) -> String {
        hex(bytes, tapedeck_sha256_portable)
    }

    private static func hex(_ bytes: [UInt8],
                            _ function: (UnsafeRawPointer?, Int, UnsafeMutablePointer<UInt8>?) -> Void) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBytes { input in
            digest.withUnsafeMutableBufferPointer { output in function(input.baseAddress, input.count, output.baseAddress) }
        }
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: digest.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] }, as: UTF8.self)
    }
}
