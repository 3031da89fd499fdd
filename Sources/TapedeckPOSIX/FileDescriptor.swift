#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file descriptor. A plain value: closing is explicit (``close()``), as with
/// swift-system's `FileDescriptor`; owners such as ``OwnedFile`` close in `deinit`.
public struct FileDescriptor: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// Standard output.
    public static let standardOutput = FileDescriptor(rawValue: 1)
    /// Standard error.
    public static let standardError = FileDescriptor(rawValue: 2)

    /// How to open a file.
    public struct OpenOptions: OptionSet, Sendable {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let readOnly = OpenOptions([])
        public static let writeOnly = OpenOptions(rawValue: O_WRONLY)
        public static let readWrite = OpenOptions(rawValue: O_RDWR)
        public static let create = OpenOptions(rawValue: O_CREAT)
        public static let truncate = OpenOptions(rawValue: O_TRUNC)
        public static let exclusive = OpenOptions(rawValue: O_EXCL)
        public static let append = OpenOptions(rawValue: O_APPEND)
        public static let directory = OpenOptions(rawValue: O_DIRECTORY)
    }

    /// Opens `path` (`open(2)` with `O_CLOEXEC`).
    public static func open(_ path: String, _ options: OpenOptions, permissions: mode_t = 0o644) throws(Errno) -> FileDescriptor {
        let fd = try syscall("open", path) { Glibc.open(path, options.rawValue | O_CLOEXEC, permissions) }
        return FileDescriptor(rawValue: fd)
    }

    /// Closes the descriptor (`close(2)`); EINTR is not retried, as on Linux the descriptor is gone.
    public func close() throws(Errno) {
        if Glibc.close(rawValue) == -1, errno != EINTR {
            throw Errno(code: errno, function: "close", context: "fd \(rawValue)")
        }
    }

    /// Reads up to `buffer.count` bytes at the current offset (`read(2)`); 0 means end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        try syscall("read", "fd \(rawValue)") { Glibc.read(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// Reads exactly `buffer.count` bytes at `offset` (`pread(2)` until done); returns fewer only at end of file.
    public func read(fromAbsoluteOffset offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        var done = 0
        while done < buffer.count {
            let count = try syscall("pread", "fd \(rawValue) at \(offset + Int64(done))") {
                Glibc.pread(rawValue, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            }
            if count == 0 { break }
            done += count
        }
        return done
    }

    /// Writes all of `bytes` at the current offset (`write(2)` until done).
    public func writeAll(_ bytes: UnsafeRawBufferPointer) throws(Errno) {
        var done = 0
        while done < bytes.count {
            done += try syscall("write", "fd \(rawValue)") {
                Glibc.write(rawValue, bytes.baseAddress! + done, bytes.count - done)
            }
        }
    }

    /// Writes all of `bytes` at the current offset (`write(2)` until done).
    public func writeAll(_ bytes: [UInt8]) throws(Errno) {
        var failure: Errno?
        bytes.withUnsafeBytes { raw in
            do throws(Errno) { try writeAll(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Reads up to `count` bytes at `offset` (`pread(2)` until done or end of file).
    public func read(fromAbsoluteOffset offset: Int64, count: Int) throws(Errno) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var result: Result<Int, Errno> = .success(0)
        bytes.withUnsafeMutableBytes { raw in
            do throws(Errno) { result = .success(try read(fromAbsoluteOffset: offset, into: raw)) } catch { result = .failure(error) }
        }
        bytes.removeLast(count - (try result.get()))
        return bytes
    }

    /// Writes all of `bytes` at `offset` (`pwrite(2)` until done).
    public func writeAll(toAbsoluteOffset offset: Int64, _ bytes: UnsafeRawBufferPointer) throws(Errno) {
        var done = 0
        while done < bytes.count {
            done += try syscall("pwrite", "fd \(rawValue) at \(offset + Int64(done))") {
                Glibc.pwrite(rawValue, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            }
        }
    }

    /// Flushes data (not necessarily metadata) to stable storage (`fdatasync(2)`).
    public func dataSync() throws(Errno) {
        try syscall("fdatasync", "fd \(rawValue)") { Glibc.fdatasync(rawValue) }
    }

    /// Flushes data and metadata to stable storage (`fsync(2)`).
    public func sync() throws(Errno) {
        try syscall("fsync", "fd \(rawValue)") { Glibc.fsync(rawValue) }
    }

    /// Sets the file's length (`ftruncate(2)`).
    public func truncate(to length: Int64) throws(Errno) {
        try syscall("ftruncate", "fd \(rawValue) to \(length)") { Glibc.ftruncate(rawValue, off_t(length)) }
    }

    /// The file's size in bytes (`fstat(2)`).
    public func size() throws(Errno) -> Int64 {
        var info = stat()
        try syscall("fstat", "fd \(rawValue)") { fstat(rawValue, &info) }
        return Int64(info.st_size)
    }

    /// Whether the descriptor refers to a terminal (`isatty(3)`).
    public var isTerminal: Bool { isatty(rawValue) == 1 }
}
