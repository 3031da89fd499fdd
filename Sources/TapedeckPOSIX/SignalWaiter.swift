#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns termination signals into a call on an ordinary thread: the signals are blocked in the
/// process (`pthread_sigmask`) and a dedicated thread takes them with `sigwait`, so the handler
/// may lock, log and allocate. Create it before any other thread, so that every thread inherits
/// the blocked mask.
public final class SignalWaiter: @unchecked Sendable {
    private var thread: OSThread?

    /// Blocks `signals` and starts a thread that calls `handler` with each one as it arrives.
    public init(signals: [Int32] = [SIGINT, SIGTERM], handler: @escaping @Sendable (Int32) -> Void) throws(Errno) {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        let result = pthread_sigmask(SIG_BLOCK, &set, nil)
        if result != 0 { throw Errno(code: result, function: "pthread_sigmask", context: "SIG_BLOCK \(signals)") }
        let waited = set
        thread = try OSThread(name: "signals") {
            var pending = waited
            while true {
                var signal: Int32 = 0
                guard sigwait(&pending, &signal) == 0 else { continue }
                handler(signal)
            }
        }
    }
}
