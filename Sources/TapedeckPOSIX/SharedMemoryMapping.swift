#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-write shared mapping of a descriptor from offset 0, such as a packet socket's receive
/// ring (`mmap(2)` with `PROT_READ | PROT_WRITE`, `MAP_SHARED`). A plain value: unmapping is
/// explicit (``unmap()``), so that an owner can unmap before it closes the descriptor.
///
/// The mapping asks for `MAP_LOCKED` first, so that its pages are resident before the first
/// packet, and maps without it when the kernel refuses (a process without `CAP_IPC_LOCK` beyond
/// its `RLIMIT_MEMLOCK` gets `EAGAIN`); ``isLocked`` says which it got.
public struct SharedMemoryMapping {
    /// The mapped bytes.
    public let bytes: UnsafeMutableRawBufferPointer
    /// Whether the mapping was made with `MAP_LOCKED`.
    public let isLocked: Bool

    /// Maps `length` bytes of `descriptor`; `context` names it for errors.
    ///
    /// - Throws: ``Errno`` from the `mmap` without `MAP_LOCKED` when both attempts fail.
    public init(descriptor: Int32, length: Int, context: String) throws(Errno) {
        let base: Int
        do {
            base = try Self.map(descriptor, length, MAP_SHARED | MAP_LOCKED, context)
            isLocked = true
        } catch {
            base = try Self.map(descriptor, length, MAP_SHARED, context)
            isLocked = false
        }
        bytes = UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(bitPattern: base), count: length)
    }

    /// Removes the mapping (`munmap(2)`); the bytes must not be used afterwards.
    public func unmap() {
        munmap(bytes.baseAddress, bytes.count)
    }

    /// `mmap(2)`: `MAP_FAILED` is the address -1, which ``syscall(_:_:_:)`` takes for a failure.
    private static func map(_ descriptor: Int32, _ length: Int, _ flags: Int32, _ context: String) throws(Errno) -> Int {
        try syscall("mmap", "\(context), \(length) bytes\(flags & MAP_LOCKED != 0 ? ", MAP_LOCKED" : "")") {
            Int(bitPattern: mmap(nil, length, PROT_READ | PROT_WRITE, flags, descriptor, 0))
        }
    }
}
