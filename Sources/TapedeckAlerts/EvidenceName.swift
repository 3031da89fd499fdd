import TapedeckCore

/// The names of evidence files: `YYYYMMDDTHHMMSSZ_<signature_id>_<flow_id>` (the alert's UTC
/// time to the second, its signature id, and Suricata's flow id), with `.pcap` and `.json`.
public enum EvidenceName {
    /// The stem for an alert: its time, signature id (0 when the alert has none) and flow id.
    public static func stem(time: Timestamp, signatureID: Int64, flowID: UInt64) -> String {
        let civil = CivilTime(secondsSinceEpoch: time.seconds)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(civil.year, 4))\(pad(civil.month, 2))\(pad(civil.day, 2))T"
            + "\(pad(civil.hour, 2))\(pad(civil.minute, 2))\(pad(civil.second, 2))Z_\(signatureID)_\(flowID)"
    }

    /// Whether `text` is a stem as ``stem(time:signatureID:flowID:)`` makes them: 8 digits, `T`,
    /// 6 digits, `Z`, `_`, an optionally negative decimal, `_`, a decimal, and nothing else (so
    /// no `/`, `.` or `..` can reach a path).
    public static func isValidStem(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.count <= 64 else { return false }
        func digits(_ range: Range<Int>) -> Bool {
            !range.isEmpty && bytes[range].allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        }
        guard digits(0..<8), bytes[8] == UInt8(ascii: "T"), digits(9..<15), bytes[15] == UInt8(ascii: "Z"),
              bytes[16] == UInt8(ascii: "_") else { return false }
        let rest = bytes[17...].split(separator: UInt8(ascii: "_"), omittingEmptySubsequences: false)
        guard rest.count == 2 else { return false }
        let signature = rest[0].first == UInt8(ascii: "-") ? rest[0].dropFirst() : rest[0]
        let isDecimal = { (part: ArraySlice<UInt8>) in
            !part.isEmpty && part.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        }
        return isDecimal(signature) && isDecimal(rest[1])
    }
}
