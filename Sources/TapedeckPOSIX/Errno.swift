#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call: the C function, what it was doing, and `errno`.
public struct Errno: Error, Equatable, Sendable, CustomStringConvertible {
    /// The `errno` value.
    public var code: Int32
    /// The C function that failed, e.g. `"open"`.
    public var function: String
    /// What was being done, e.g. the path.
    public var context: String

    /// Creates an error for `function` failing with `code`.
    public init(code: Int32, function: String, context: String) {
        self.code = code
        self.function = function
        self.context = context
    }

    /// `strerror` text for the code.
    public var message: String { String(cString: strerror(code)) }

    public var description: String { "\(function)(\(context)): \(message) (errno \(code))" }

    /// No such file or directory.
    public static let noEntry = ENOENT
    /// No space left on device.
    public static let noSpace = ENOSPC
    /// File exists.
    public static let exists = EEXIST
    /// The operation would block (e.g. a lock held by another process).
    public static let wouldBlock = EWOULDBLOCK
}

/// Calls `body` (a system call returning -1 and setting errno on failure) until it does not fail
/// with `EINTR`; throws ``Errno`` naming `function` and `context` on any other failure.
@inlinable
@discardableResult
public func syscall<Result: BinaryInteger>(
    _ function: @autoclosure () -> String, _ context: @autoclosure () -> String,
    _ body: () -> Result
) throws(Errno) -> Result {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = errno
        if code == EINTR { continue }
        throw Errno(code: code, function: function(), context: context())
    }
}
