#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock on a file (`flock(2)` with `LOCK_EX | LOCK_NB`), released when
/// the owner is deinitialised or the process exits (also on `kill -9`).
public final class FileLock: @unchecked Sendable {
    private let descriptor: FileDescriptor
    private var released = false

    /// Takes the lock on `path` (created if missing); throws `EWOULDBLOCK` if another process holds it.
    public init(path: String) throws(Errno) {
        descriptor = try FileDescriptor.open(path, [.readWrite, .create])
        do {
            try syscall("flock", path) { flock(descriptor.rawValue, LOCK_EX | LOCK_NB) }
        } catch {
            try? descriptor.close()
            throw error
        }
    }

    /// Releases the lock by closing the descriptor; later calls do nothing.
    public func release() {
        guard !released else { return }
        released = true
        try? descriptor.close()
    }

    deinit {
        release()
    }
}
