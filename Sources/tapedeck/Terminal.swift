#if canImport(Glibc)
import Glibc
#endif
import TapedeckCore
import TapedeckPOSIX

/// Writes a line to standard error.
func printError(_ text: String) {
    printErrorRaw(text.hasSuffix("\n") ? text : text + "\n")
}

/// Writes text to standard error as it is.
func printErrorRaw(_ text: String) {
    try? FileDescriptor.standardError.writeAll(Array(text.utf8))
}

/// A ``ByteSink`` over a file descriptor (a file, standard output, a pipe).
struct FileDescriptorSink: ByteSink {
    let descriptor: FileDescriptor

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try descriptor.writeAll(bytes)
    }

    /// Whether standard error is a terminal.
    static var standardErrorIsTerminal: Bool { FileDescriptor.standardError.isTerminal }
}

/// Human-readable numbers for summaries.
enum Format {
    /// `1536` → `1.5 KiB`.
    static func bytes<Value: BinaryInteger>(_ value: Value) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024, unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value) B" : "\(fixed(amount, 1)) \(units[unit])"
    }

    /// `x` with `digits` digits after the point.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
            if digits == 0 { text = String(text[..<dot]) }
        }
        return text
    }

    /// Seconds as `1h02m03s`, `4m05s` or `6.7s`.
    static func duration(seconds: Double) -> String {
        guard seconds >= 60 else { return "\(fixed(seconds, 1))s" }
        let whole = Int(seconds)
        let (hours, minutes, rest) = (whole / 3600, whole / 60 % 60, whole % 60)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours)h\(two(minutes))m\(two(rest))s" : "\(minutes)m\(two(rest))s"
    }
}

/// Monotonic seconds for rates and progress (`clock_gettime(CLOCK_MONOTONIC)`).
func monotonicSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}
