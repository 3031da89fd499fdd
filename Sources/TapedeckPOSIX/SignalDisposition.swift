#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Process-wide signal dispositions.
public enum SignalDisposition {
    /// Ignores `signal` in the whole process (`sigaction(2)` with `SIG_IGN`), e.g. `SIGPIPE`,
    /// so that writing to a socket whose peer is gone fails with `EPIPE` instead of killing
    /// the process.
    public static func ignore(_ signal: Int32) throws(Errno) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = SIG_IGN
        sigemptyset(&action.sa_mask)
        try syscall("sigaction", "SIG_IGN for signal \(signal)") { sigaction(signal, &action, nil) }
    }
}
