#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory mapping of a whole file (`mmap(2)` with `PROT_READ`, `MAP_SHARED`),
/// unmapped in `deinit`. The mapping stays valid after the file is unlinked.
public final class MappedFile: @unchecked Sendable {
    /// The mapped bytes.
    public let bytes: UnsafeRawBufferPointer

    /// Maps the file at `path`; an empty file maps to an empty buffer.
    public init(path: String) throws(Errno) {
        let fd = try FileDescriptor.open(path, .readOnly)
        defer { try? fd.close() }
        let size = Int(try fd.size())
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_SHARED, fd.rawValue, 0), base != MAP_FAILED else {
            throw Errno(code: errno, function: "mmap", context: path)
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }
}
