#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Network interfaces by name.
public enum NetworkInterface {
    /// The index of the interface called `name` (`if_nametoindex(3)`).
    ///
    /// - Throws: ``Errno`` (`ENODEV` when there is no such interface).
    public static func index(named name: String) throws(Errno) -> Int32 {
        let index = if_nametoindex(name)
        if index == 0 {
            throw Errno(code: errno, function: "if_nametoindex", context: name)
        }
        return Int32(bitPattern: index)
    }
}
