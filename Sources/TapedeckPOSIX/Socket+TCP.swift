#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// TCP: listening, accepting, and non-blocking receive and send. Sockets made here are
/// non-blocking and close-on-exec; calls that would block return nil instead of throwing, and
/// callers wait with ``Poll``.
extension Socket {
    /// Which direction ``shutdown(_:)`` closes.
    public enum ShutdownDirection: Sendable {
        /// No more receiving (`SHUT_RD`).
        case read
        /// No more sending (`SHUT_WR`): the peer reads end of file.
        case write
        /// Both (`SHUT_RDWR`).
        case both

        var rawValue: Int32 {
            switch self {
            case .read: Int32(SHUT_RD)
            case .write: Int32(SHUT_WR)
            case .both: Int32(SHUT_RDWR)
            }
        }
    }

    /// A non-blocking listening TCP socket bound to `address` (`socket(2)`, `setsockopt(2)`
    /// with `SO_REUSEADDR` and, for IPv6, `IPV6_V6ONLY`, `bind(2)`, `listen(2)`). Port 0 binds
    /// an ephemeral port; ``localAddress()`` tells which.
    public static func listening(on address: SocketAddress, backlog: Int32 = 511) throws(Errno) -> Socket {
        let socket = try Socket.open(domain: address.isIPv6 ? AF_INET6 : AF_INET,
                                     type: Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), protocol: 0)
        do {
            try socket.setOption(level: SOL_SOCKET, SO_REUSEADDR, Int32(1), name: "SO_REUSEADDR")
            if address.isIPv6 { try socket.setOption(level: Int32(IPPROTO_IPV6), IPV6_V6ONLY, Int32(1), name: "IPV6_V6ONLY") }
            try address.withSockaddr { pointer, length throws(Errno) in
                _ = try syscall("bind", "\(address)") { Glibc.bind(socket.rawValue, pointer, length) }
            }
            try socket.listen(backlog: backlog, address: address)
        } catch {
            try? socket.close()
            throw error
        }
        return socket
    }

    /// Marks the socket as accepting connections (`listen(2)`).
    private func listen(backlog: Int32, address: SocketAddress) throws(Errno) {
        try syscall("listen", "\(address)") { Glibc.listen(rawValue, backlog) }
    }

    /// Accepts a pending connection (`accept(2)`) and makes it non-blocking and close-on-exec
    /// (``setNonBlockingCloseOnExec()``); nil when none is pending. Failures that concern only
    /// the aborted connection (`ECONNABORTED`, `EPROTO`, …) also return nil; descriptor
    /// exhaustion (`EMFILE`, `ENFILE`) and memory shortage throw.
    ///
    /// Swift's Glibc module does not export `accept4(2)`, so close-on-exec is set right after
    /// `accept`; a process that forks and execs from another thread in that instant could leak
    /// the descriptor to its child (Tapedeck's servers do not).
    public func accept() throws(Errno) -> (socket: Socket, peer: SocketAddress?)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let descriptor: Int32
        do {
            descriptor = try syscall("accept", "fd \(rawValue)") {
                withUnsafeMutablePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.accept(rawValue, $0, &length) }
                }
            }
        } catch let error {
            switch error.code {
            case EAGAIN, EWOULDBLOCK, ECONNABORTED, EPROTO, EPERM, ENETDOWN, ENOPROTOOPT, EHOSTDOWN,
                 ENONET, EHOSTUNREACH, EOPNOTSUPP, ENETUNREACH:
                return nil
            default:
                throw error
            }
        }
        let socket = Socket(rawValue: descriptor)
        do {
            try socket.setNonBlockingCloseOnExec()
        } catch {
            try? socket.close()
            throw error
        }
        return (socket, SocketAddress(storage: storage))
    }

    /// Sets `O_NONBLOCK` and `FD_CLOEXEC` (`fcntl(2)` with `F_SETFL` and `F_SETFD`).
    public func setNonBlockingCloseOnExec() throws(Errno) {
        let flags = try syscall("fcntl", "F_GETFL fd \(rawValue)") { fcntl(rawValue, F_GETFL) }
        try syscall("fcntl", "F_SETFL fd \(rawValue)") { fcntl(rawValue, F_SETFL, flags | O_NONBLOCK) }
        try syscall("fcntl", "F_SETFD fd \(rawValue)") { fcntl(rawValue, F_SETFD, FD_CLOEXEC) }
    }

    /// Disables Nagle's algorithm (`setsockopt(2)` with `TCP_NODELAY`), so that a small
    /// response is not held back waiting for the peer's delayed acknowledgement.
    public func setNoDelay() throws(Errno) {
        try setOption(level: Int32(IPPROTO_TCP), TCP_NODELAY, Int32(1), name: "TCP_NODELAY")
    }

    /// The address the socket is bound to (`getsockname(2)`).
    public func localAddress() throws(Errno) -> SocketAddress {
        var storage = sockaddr_storage()
        try localAddress(into: &storage)
        guard let address = SocketAddress(storage: storage) else {
            throw Errno(code: EAFNOSUPPORT, function: "getsockname", context: "fd \(rawValue)")
        }
        return address
    }

    /// Receives up to `buffer.count` bytes (`recv(2)`): the count, 0 at end of stream, nil if
    /// nothing is available yet.
    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int? {
        do {
            return try syscall("recv", "fd \(rawValue)") { Glibc.recv(rawValue, buffer.baseAddress, buffer.count, 0) }
        } catch let error {
            if error.code == EAGAIN || error.code == EWOULDBLOCK { return nil }
            throw error
        }
    }

    /// Sends as much of `bytes` as the socket buffer takes (`send(2)` with `MSG_NOSIGNAL`, so
    /// a vanished peer is `EPIPE` or `ECONNRESET`, never `SIGPIPE`); nil if nothing could be
    /// sent yet.
    public func send(_ bytes: UnsafeRawBufferPointer) throws(Errno) -> Int? {
        do {
            return try syscall("send", "fd \(rawValue)") {
                Glibc.send(rawValue, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            }
        } catch let error {
            if error.code == EAGAIN || error.code == EWOULDBLOCK { return nil }
            throw error
        }
    }

    /// Shuts down one or both directions of the connection (`shutdown(2)`).
    public func shutdown(_ direction: ShutdownDirection) throws(Errno) {
        try syscall("shutdown", "fd \(rawValue)") { Glibc.shutdown(rawValue, direction.rawValue) }
    }
}
