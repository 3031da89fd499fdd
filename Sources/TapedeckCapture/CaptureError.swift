import TapedeckPOSIX

/// Why a packet source could not be opened or could not go on, with enough context to find
/// the spot: the input, the number of the packet that could not be read, and where it starts.
public enum CaptureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input could not be opened as a capture: it is missing or unreadable, it is not a
    /// pcap or pcapng file, or its file header is damaged. `reason` is libpcap's message.
    case cannotOpen(path: String, reason: String)

    /// The input is damaged at packet `packetNumber` (1-based): a truncated record, an
    /// impossible captured length, a malformed pcapng block. `reason` is libpcap's message,
    /// e.g. "truncated dump file; tried to read 16 header bytes, only got 11"; a failed read
    /// (an I/O error) also lands here, as "error reading dump file: …".
    ///
    /// The `packetNumber - 1` packets before it were returned. `byteOffset` is where the
    /// unreadable record (for pcapng: the first block after the last good packet) starts;
    /// `nil` when the input is not seekable (a pipe).
    case corrupt(path: String, packetNumber: Int, byteOffset: Int64?, reason: String)

    /// The input is well-formed but uses something libpcap cannot deliver, at packet
    /// `packetNumber`: in libpcap 1.10, a pcapng interface whose link type or snapshot length
    /// differs from the first interface's. Fields as for ``corrupt(path:packetNumber:byteOffset:reason:)``.
    case unsupported(path: String, packetNumber: Int, byteOffset: Int64?, reason: String)

    /// A system call for a live capture on `interface` failed: `socket`, `setsockopt`, `bind`,
    /// `mmap`, `poll`, … The ``Errno`` names the call; `EPERM` means that capturing needs root
    /// (or `CAP_NET_RAW`), `ENODEV` that there is no such interface, `ENETDOWN` that it went down
    /// or away while capturing.
    case system(interface: String, Errno)

    /// A live capture on `interface` cannot start or go on for a reason that is not a failed
    /// system call: libpcap's message, or a link layer the source does not capture.
    case cannotCapture(interface: String, reason: String)

    /// libpcap cannot compile the filter `expression`; `reason` is its message, e.g.
    /// "illegal port number 99999 > 65535".
    case invalidFilter(expression: String, reason: String)

    /// A capture parameter is out of range; `reason` names it, its value and what it must be.
    case invalidConfiguration(reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open \(path) as a capture file: \(reason)"
        case .corrupt(let path, let packetNumber, let byteOffset, let reason):
            return Self.describe(path, packetNumber, byteOffset, reason)
        case .unsupported(let path, let packetNumber, let byteOffset, let reason):
            return Self.describe(path, packetNumber, byteOffset,
                                 reason + "; libpcap reads a pcapng file only while all its interfaces"
                                     + " have the first one's link type and snapshot length")
        case .system(let interface, let error):
            return "capture on \(interface): \(error)"
        case .cannotCapture(let interface, let reason):
            return "capture on \(interface): \(reason)"
        case .invalidFilter(let expression, let reason):
            return "invalid capture filter '\(expression)': \(reason)"
        case .invalidConfiguration(let reason):
            return "invalid capture configuration: \(reason)"
        }
    }

    private static func describe(_ path: String, _ packetNumber: Int, _ byteOffset: Int64?, _ reason: String) -> String {
        let place = byteOffset.map { " at byte offset \($0)" } ?? ""
        let kept = switch packetNumber - 1 {
        case 0: "no packet came before it"
        case 1: "the 1 packet before it was read"
        case let count: "the \(count) packets before it were read"
        }
        return "\(path): cannot read packet \(packetNumber)\(place): \(reason) (\(kept))"
    }
}
