/// Limits shared by the live sources, and the checks of their configurations.
public enum LiveCapture {
    /// The largest snapshot length, libpcap's `MAXIMUM_SNAPLEN` (256 KiB): tcpdump's default,
    /// and the default of both live sources.
    public static let maximumSnapLength = 262_144

    /// The longest interface name (`IFNAMSIZ` − 1).
    static let maximumInterfaceNameLength = 15

    /// Checks the settings both live sources have.
    static func validate(interface: String, snapLength: Int, blockTimeoutMilliseconds: Int) throws(CaptureError) {
        if interface.isEmpty || interface.utf8.count > maximumInterfaceNameLength {
            throw .invalidConfiguration(
                reason: "interface name '\(interface)' must have 1 to \(maximumInterfaceNameLength) bytes")
        }
        if !(1...maximumSnapLength).contains(snapLength) {
            throw .invalidConfiguration(reason: "snapshot length \(snapLength) must be 1 to \(maximumSnapLength)")
        }
        if !(1...10_000).contains(blockTimeoutMilliseconds) {
            throw .invalidConfiguration(
                reason: "block timeout \(blockTimeoutMilliseconds) ms must be 1 to 10000 ms")
        }
    }

    /// The wait in milliseconds, rounded up, until `deadline`; 0 when it has passed.
    static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        let (seconds, attoseconds) = (deadline - .now).components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        if seconds >= Int64(Int32.max / 1000) { return .max }
        return Int32(seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }

    /// How long a stopping source waits for the kernel to hand over its partly filled block:
    /// the kernel's retire timer closes a block at the second expiry that finds it unchanged,
    /// so two block timeouts, plus scheduling slack.
    static func drainTime(blockTimeoutMilliseconds: Int) -> Duration {
        .milliseconds(2 * blockTimeoutMilliseconds + 100)
    }
}
