#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Path-level file system calls, each wrapping one C function.
public enum FileSystem {
    /// Atomically replaces `destination` with `source` (`rename(2)`).
    public static func rename(_ source: String, to destination: String) throws(Errno) {
        try syscall("rename", "\(source) -> \(destination)") { Glibc.rename(source, destination) }
    }

    /// Removes a file (`unlink(2)`).
    public static func unlink(_ path: String) throws(Errno) {
        try syscall("unlink", path) { Glibc.unlink(path) }
    }

    /// Creates a directory and its missing parents (`mkdir(2)`); existing directories are fine.
    public static func createDirectory(_ path: String, permissions: mode_t = 0o755) throws(Errno) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if Glibc.mkdir(prefix, permissions) == -1, errno != EEXIST {
                throw Errno(code: errno, function: "mkdir", context: prefix)
            }
            prefix += "/"
        }
    }

    /// Flushes a directory's entries (file creations, renames, removals) to stable storage.
    public static func syncDirectory(_ path: String) throws(Errno) {
        let fd = try FileDescriptor.open(path, [.readOnly, .directory])
        defer { try? fd.close() }
        try fd.sync()
    }

    /// The names in a directory, without `.` and `..` (`opendir(3)`/`readdir(3)`), unsorted.
    public static func contentsOfDirectory(_ path: String) throws(Errno) -> [String] {
        guard let directory = opendir(path) else {
            throw Errno(code: errno, function: "opendir", context: path)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// Whether anything exists at `path` (`access(2)` with `F_OK`).
    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Size in bytes of the file at `path` (`open(2)` and `fstat(2)`).
    public static func fileSize(_ path: String) throws(Errno) -> Int64 {
        let fd = try FileDescriptor.open(path, .readOnly)
        defer { try? fd.close() }
        return try fd.size()
    }

    /// Capacity and free space of the file system holding `path` (`fstatvfs(3)`).
    public static func spaceInfo(_ path: String) throws(Errno) -> (total: Int64, available: Int64) {
        let fd = try FileDescriptor.open(path, .readOnly)
        defer { try? fd.close() }
        var info = statvfs()
        try syscall("fstatvfs", path) { fstatvfs(fd.rawValue, &info) }
        return (Int64(info.f_blocks) * Int64(info.f_frsize), Int64(info.f_bavail) * Int64(info.f_frsize))
    }

    /// Reads a whole (small) file into memory.
    public static func readWholeFile(_ path: String) throws(Errno) -> [UInt8] {
        let descriptor = try FileDescriptor.open(path, .readOnly)
        defer { try? descriptor.close() }
        return try descriptor.read(fromAbsoluteOffset: 0, count: Int(try descriptor.size()))
    }

    /// Writes `bytes` as `directory/name` so that readers see the old file or the new one, never
    /// a part: written to a hidden temporary name (`.name.tmp`), fsynced, renamed, and the
    /// directory fsynced. On failure the temporary file is removed.
    public static func writeAtomically(directory: String, name: String, bytes: [UInt8]) throws(Errno) {
        let temporary = "\(directory)/.\(name).tmp"
        let descriptor = try FileDescriptor.open(temporary, [.writeOnly, .create, .truncate])
        do {
            try descriptor.writeAll(bytes)
            try descriptor.sync()
            try descriptor.close()
        } catch {
            try? descriptor.close()
            try? unlink(temporary)
            throw error
        }
        try rename(temporary, to: "\(directory)/\(name)")
        try syncDirectory(directory)
    }
}
