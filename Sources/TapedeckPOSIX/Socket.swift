import CTapedeckLinux

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A socket descriptor, with one method per socket call: a plain value like ``FileDescriptor``;
/// closing is explicit (``close()``) and owners close in `deinit`.
///
/// Options and addresses are C structs (`sockaddr_ll`, `tpacket_req3`, `int`, …) passed by their
/// bytes, as the C calls take them; the `name` arguments are the C names, for error messages.
public struct Socket: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// Creates a socket (`socket(2)` with `SOCK_CLOEXEC` added to `type`).
    public static func open(domain: Int32, type: Int32, protocol: Int32) throws(Errno) -> Socket {
        let fd = try syscall("socket", "domain \(domain), type \(type), protocol \(`protocol`)") {
            Glibc.socket(domain, type | Int32(SOCK_CLOEXEC.rawValue), `protocol`)
        }
        return Socket(rawValue: fd)
    }

    /// Closes the socket (`close(2)`).
    public func close() throws(Errno) {
        try FileDescriptor(rawValue: rawValue).close()
    }

    /// Sets option `option` at `level` to the bytes of `value` (`setsockopt(2)`); `name` is the
    /// option's C name, e.g. `"PACKET_RX_RING"`.
    public func setOption<Value>(level: Int32, _ option: Int32, _ value: Value, name: String) throws(Errno) {
        try withUnsafeBytes(of: value) { (bytes) throws(Errno) in
            _ = try syscall("setsockopt", "fd \(rawValue), \(name)") {
                setsockopt(rawValue, level, option, bytes.baseAddress, socklen_t(bytes.count))
            }
        }
    }

    /// Reads option `option` at `level` into `value`, whose size is the buffer length given to
    /// the kernel (`getsockopt(2)`); `name` is the option's C name, e.g. `"PACKET_STATISTICS"`.
    public func getOption<Value>(level: Int32, _ option: Int32, into value: inout Value, name: String) throws(Errno) {
        try withUnsafeMutableBytes(of: &value) { (bytes) throws(Errno) in
            var length = socklen_t(bytes.count)
            try syscall("getsockopt", "fd \(rawValue), \(name)") {
                getsockopt(rawValue, level, option, bytes.baseAddress, &length)
            }
        }
    }

    /// Binds the socket to `address`, a `sockaddr_*` struct (`bind(2)`); `description` says what
    /// it is, for errors.
    public func bind<Address>(to address: Address, description: String) throws(Errno) {
        try withUnsafeBytes(of: address) { (bytes) throws(Errno) in
            _ = try syscall("bind", "fd \(rawValue) to \(description)") {
                Glibc.bind(rawValue, bytes.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(bytes.count))
            }
        }
    }

    /// Reads the address the socket is bound to into `address`, a `sockaddr_*` struct
    /// (`getsockname(2)`).
    public func localAddress<Address>(into address: inout Address) throws(Errno) {
        try withUnsafeMutableBytes(of: &address) { (bytes) throws(Errno) in
            var length = socklen_t(bytes.count)
            try syscall("getsockname", "fd \(rawValue)") {
                getsockname(rawValue, bytes.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
            }
        }
    }

    /// Sends up to `count` messages of `messages` in one call (`sendmmsg(2)`) and returns how many
    /// were sent: fewer than `count` when one could not be, whose error the next call reports
    /// (the kernel reports an error only for the first message of a call).
    ///
    /// - Throws: ``Errno`` when the first message could not be sent; `ENOBUFS` or `EAGAIN` when
    ///   the device queue was full (a packet socket's frame was dropped and may be sent again).
    @inline(__always)
    public func sendMessages(_ messages: UnsafeMutablePointer<tapedeck_mmsghdr>, count: Int) throws(Errno) -> Int {
        Int(try syscall("sendmmsg", "fd \(rawValue), \(count) messages") {
            tapedeck_sendmmsg(rawValue, messages, UInt32(count), 0)
        })
    }

    /// The MTU of the interface called `name` (`ioctl(2)` with `SIOCGIFMTU` on this socket): the
    /// largest packet it sends, without the link-layer header.
    ///
    /// - Throws: ``Errno`` (`ENODEV` when there is no such interface).
    public func interfaceMTU(_ name: String) throws(Errno) -> Int {
        var mtu: Int32 = 0
        try syscall("ioctl", "fd \(rawValue), SIOCGIFMTU \(name)") { tapedeck_interface_mtu(rawValue, name, &mtu) }
        return Int(mtu)
    }
}
