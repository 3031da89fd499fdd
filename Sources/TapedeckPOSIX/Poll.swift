#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Waiting for descriptors to become ready.
public enum Poll {
    /// Waits until one of `descriptors` has one of its `events`, or `timeoutMilliseconds` pass
    /// (`poll(2)`; 0 does not wait, -1 waits without limit), and fills in their `revents`.
    /// A signal restarts the wait with the full timeout.
    ///
    /// - Returns: how many descriptors have `revents` set; 0 when the timeout passed.
    public static func wait(_ descriptors: UnsafeMutableBufferPointer<pollfd>, timeoutMilliseconds: Int32) throws(Errno) -> Int {
        Int(try syscall("poll", "\(descriptors.count) descriptors, \(timeoutMilliseconds) ms") {
            Glibc.poll(descriptors.baseAddress, nfds_t(descriptors.count), timeoutMilliseconds)
        })
    }
}
