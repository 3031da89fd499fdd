#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address and TCP port (`sockaddr_in` / `sockaddr_in6`), parsed from and
/// printed as `127.0.0.1:8080`, `[::1]:8080` or `0.0.0.0:8080`.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address bytes in network order: 4 for IPv4, 16 for IPv6.
    public var address: [UInt8]
    /// The port in host order.
    public var port: UInt16
    /// For IPv6 link-local addresses, the interface index (`sin6_scope_id`); 0 otherwise.
    public var scopeID: UInt32 = 0

    /// Whether this is an IPv6 address.
    public var isIPv6: Bool { address.count == 16 }

    /// Creates an address from network-order bytes (4 or 16) and a port.
    public init?(address: [UInt8], port: UInt16) {
        guard address.count == 4 || address.count == 16 else { return nil }
        self.address = address
        self.port = port
    }

    /// Parses `IPv4:PORT` or `[IPv6]:PORT` (`inet_pton(3)`); nil for anything else, including a
    /// host name or a missing port.
    public init?(_ text: String) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            guard !host.contains(":") else { return nil }
            portText = text[text.index(after: colon)...]
        }
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = UInt16(portText) else { return nil }
        let isIPv6 = text.hasPrefix("[")
        var bytes = [UInt8](repeating: 0, count: isIPv6 ? 16 : 4)
        let converted = bytes.withUnsafeMutableBytes { raw in
            inet_pton(isIPv6 ? AF_INET6 : AF_INET, String(host), raw.baseAddress)
        }
        guard converted == 1 else { return nil }
        self.address = bytes
        self.port = port
    }

    /// Whether connections to this address can only come from this machine: `127.0.0.0/8`,
    /// `::1`, or an IPv4-mapped loopback address. `0.0.0.0` and `::` are not.
    public var isLoopback: Bool {
        if !isIPv6 { return address[0] == 127 }
        if address[0..<15].allSatisfy({ $0 == 0 }) && address[15] == 1 { return true }
        let mapped = address[0..<10].allSatisfy { $0 == 0 } && address[10] == 0xFF && address[11] == 0xFF
        return mapped && address[12] == 127
    }

    /// `a.b.c.d:port` or `[v6]:port` (`inet_ntop(3)`).
    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        address.withUnsafeBytes { raw in
            _ = inet_ntop(isIPv6 ? AF_INET6 : AF_INET, raw.baseAddress, &text, socklen_t(text.count))
        }
        let host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Calls `body` with this address as a `sockaddr` and its length.
    func withSockaddr<Result, Failure: Error>(
        _ body: (UnsafePointer<sockaddr>, socklen_t) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        if isIPv6 {
            var storage = sockaddr_in6()
            storage.sin6_family = sa_family_t(AF_INET6)
            storage.sin6_port = port.bigEndian
            storage.sin6_scope_id = scopeID
            withUnsafeMutableBytes(of: &storage.sin6_addr) { $0.copyBytes(from: address) }
            let length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            return try withUnsafeBytes(of: &storage) { (raw) throws(Failure) in
                try body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
            }
        }
        var storage = sockaddr_in()
        storage.sin_family = sa_family_t(AF_INET)
        storage.sin_port = port.bigEndian
        withUnsafeMutableBytes(of: &storage.sin_addr) { $0.copyBytes(from: address) }
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        return try withUnsafeBytes(of: &storage) { (raw) throws(Failure) in
            try body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }

    /// Reads an address that the kernel filled in (`accept4`, `getsockname`); nil for other families.
    init?(storage: sockaddr_storage) {
        var copy = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            let value = withUnsafePointer(to: &copy) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee } }
            address = withUnsafeBytes(of: value.sin_addr) { Array($0) }
            port = UInt16(bigEndian: value.sin_port)
        case AF_INET6:
            let value = withUnsafePointer(to: &copy) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee } }
            address = withUnsafeBytes(of: value.sin6_addr) { Array($0) }
            port = UInt16(bigEndian: value.sin6_port)
            scopeID = value.sin6_scope_id
        default:
            return nil
        }
    }
}
