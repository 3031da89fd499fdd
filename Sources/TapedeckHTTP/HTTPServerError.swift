import TapedeckPOSIX

/// Why an ``HTTPServer`` cannot start.
public enum HTTPServerError: Error, CustomStringConvertible, Sendable {
    /// A non-loopback address without tokens and without the explicit opt-out.
    case unauthenticatedRemoteAccess(SocketAddress)
    /// The address could not be bound (in use, not local, no permission).
    case cannotListen(SocketAddress, Errno)
    /// A thread could not be started.
    case cannotStartThread(Errno)
    /// ``HTTPServer/start()`` was called twice.
    case alreadyStarted

    public var description: String {
        switch self {
        case .unauthenticatedRemoteAccess(let address):
            "refusing to serve \(address) without authentication: it is not a loopback address, so anyone who reaches "
                + "it could read every stored packet; give bearer tokens (--token-file) or accept the risk (--insecure-no-auth)"
        case .cannotListen(let address, let errno):
            "cannot listen on \(address): \(errno.message)"
        case .cannotStartThread(let errno):
            "cannot start a server thread: \(errno.message)"
        case .alreadyStarted:
            "the server is already started"
        }
    }
}
