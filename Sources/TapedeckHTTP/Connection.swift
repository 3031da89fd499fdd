import TapedeckPOSIX

/// A client connection. Owned by one thread at a time: the ``ConnectionReactor`` while it waits
/// for and reads a request, a worker while the request is answered.
final class Connection: @unchecked Sendable {
    /// Where the connection is in its life, as the reactor sees it.
    enum Phase {
        /// Waiting for the first byte of a request (idle keep-alive, or just accepted).
        case awaitingRequest
        /// Part of a request has arrived.
        case readingRequest
        /// The response is sent and the sending side shut down; reading and discarding what the
        /// client still sends, so that closing does not reset the connection before the client
        /// has read the response (RFC 9112 §9.6).
        case draining
    }

    let socket: Socket
    let peer: SocketAddress?
    /// Received bytes not yet consumed; a request always starts at index 0.
    var buffer: [UInt8] = []
    var parser: RequestParser
    var phase = Phase.awaitingRequest
    /// Monotonic time by which the current phase must end.
    var deadline: Double
    /// Whether `100 Continue` has been sent for the current request.
    var sentContinue = false
    /// Whether the deadline has been moved from the head's to the body's.
    var bodyDeadlineSet = false
    /// Bytes discarded while draining.
    var drainedBytes = 0
    /// Whether the client has shut down its sending side: the connection closes after the
    /// response to what it sent.
    var inputEnded = false

    init(socket: Socket, peer: SocketAddress?, limits: RequestLimits, deadline: Double) {
        self.socket = socket
        self.peer = peer
        parser = RequestParser(limits: limits)
        self.deadline = deadline
    }

    /// Prepares for the next request after one was taken out of the buffer.
    func resetForNextRequest(limits: RequestLimits) {
        parser = RequestParser(limits: limits)
        sentContinue = false
        bodyDeadlineSet = false
        phase = .awaitingRequest
    }
}
