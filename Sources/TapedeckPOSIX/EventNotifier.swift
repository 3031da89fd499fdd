import CTapedeckLinux

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A wake-up another thread can raise and a ``Poll`` loop can wait for: an `eventfd(2)` counter
/// that becomes readable at the first ``notify()`` and stays readable (nothing reads it back).
public final class EventNotifier: Sendable {
    /// The descriptor to poll for `POLLIN`.
    public let descriptor: FileDescriptor

    /// Creates the counter at 0 (`eventfd(2)` with `EFD_CLOEXEC | EFD_NONBLOCK`).
    public init() throws(Errno) {
        descriptor = FileDescriptor(rawValue: try syscall("eventfd", "stop notifier") {
            eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        })
    }

    deinit {
        try? descriptor.close()
    }

    /// Makes the descriptor readable: adds 1 to the counter (`write(2)` of 8 bytes). Safe from any
    /// thread, any number of times; the write cannot fail short of the counter reaching
    /// 2⁶⁴ − 2, when it is readable already.
    public func notify() {
        var one: UInt64 = 1
        _ = try? syscall("write", "eventfd \(descriptor.rawValue)") { Glibc.write(descriptor.rawValue, &one, 8) }
    }
}
