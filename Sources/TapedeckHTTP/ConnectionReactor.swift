#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import TapedeckPOSIX

/// The thread that accepts connections and reads requests: one `poll` loop over the listening
/// socket and every connection that is waiting for or receiving a request. A complete request
/// (head and body) goes to a worker through `dispatch`; the worker hands the connection back
/// with ``resume(_:)`` (keep-alive) or ``close(_:)``.
///
/// Nothing here blocks on a client: sockets are non-blocking, every phase has a deadline
/// (``HTTPTimeouts``), and malformed requests are answered with a small error response that
/// fits in the empty socket buffer.
final class ConnectionReactor: @unchecked Sendable {
    private let listener: Socket
    private let limits: RequestLimits
    private let timeouts: HTTPTimeouts
    private let maxConnections: Int
    private let logger: Logger
    private let dispatch: (Connection, HTTPRequest) -> Void
    private let onDirectResponse: (HTTPStatus) -> Void
    private let notifier: EventNotifier
    private let lock = ConditionLock()
    private var inbox: [(Connection, closing: Bool)] = []
    private var stopRequested = false
    private var open = 0
    private var connections: [Connection] = []
    private var listening = true
    private var acceptPausedUntil = 0.0
    /// Where `recv` puts bytes before they are appended to a connection's buffer.
    private var scratch = [UInt8](repeating: 0, count: 16 * 1024)

    init(listener: Socket, limits: RequestLimits, timeouts: HTTPTimeouts, maxConnections: Int, logger: Logger,
         dispatch: @escaping (Connection, HTTPRequest) -> Void,
         onDirectResponse: @escaping (HTTPStatus) -> Void) throws(Errno) {
        self.listener = listener
        self.limits = limits
        self.timeouts = timeouts
        self.maxConnections = maxConnections
        self.logger = logger
        self.dispatch = dispatch
        self.onDirectResponse = onDirectResponse
        notifier = try EventNotifier()
    }

    /// Connections open now, at the reactor or at workers.
    var openConnections: Int { lock.withLock { open } }

    /// Hands a connection back after a response, to wait for its next request.
    func resume(_ connection: Connection) {
        lock.withLock { inbox.append((connection, false)) }
        notifier.notify()
    }

    /// Hands a connection back to be closed after its last response.
    func close(_ connection: Connection) {
        lock.withLock { inbox.append((connection, true)) }
        notifier.notify()
    }

    /// Stops accepting, closes idle connections, and closes the others as they come back; the
    /// loop ends when none is left.
    func stop() {
        lock.withLock { stopRequested = true }
        notifier.notify()
    }

    /// The loop; returns after ``stop()`` once every connection is closed.
    func run() {
        while true {
            let (returned, stopping) = lock.withLock { () -> ([(Connection, closing: Bool)], Bool) in
                defer { inbox.removeAll() }
                return (inbox, stopRequested)
            }
            notifier.reset()
            for (connection, closing) in returned {
                if closing || stopping {
                    beginLingeringClose(connection)
                } else {
                    connection.deadline = monotonicSeconds() + timeouts.idle
                    connections.append(connection)
                    if !connection.buffer.isEmpty { process(connection) }
                }
            }
            if stopping {
                if listening {
                    try? listener.close()
                    listening = false
                }
                for connection in connections where connection.phase != .draining { finalClose(connection) }
                connections.removeAll { $0.phase != .draining }
                if lock.withLock({ open }) == 0 { return }
            }
            pollOnce()
        }
    }

    private func pollOnce() {
        let now = monotonicSeconds()
        let accepting = listening && now >= acceptPausedUntil
        var descriptors = [pollfd(fd: notifier.descriptor.rawValue, events: Int16(POLLIN), revents: 0)]
        if accepting { descriptors.append(pollfd(fd: listener.rawValue, events: Int16(POLLIN), revents: 0)) }
        let first = descriptors.count
        for connection in connections {
            descriptors.append(pollfd(fd: connection.socket.rawValue, events: Int16(POLLIN), revents: 0))
        }
        var wake = connections.map(\.deadline).min() ?? now + 3600
        if listening, !accepting { wake = min(wake, acceptPausedUntil) }
        let timeout = Int32(max(0, min((wake - now) * 1000 + 1, 3_600_000)))
        do {
            _ = try descriptors.withUnsafeMutableBufferPointer { (pointer) throws(Errno) in
                try Poll.wait(pointer, timeoutMilliseconds: timeout)
            }
        } catch {
            logger.error("poll failed: \(error)")
            return
        }
        if accepting, descriptors[1].revents != 0 { acceptAll() }
        let polled = Array(connections.prefix(descriptors.count - first))
        var finished = Set<ObjectIdentifier>()
        for (offset, connection) in polled.enumerated() where descriptors[first + offset].revents != 0 {
            if !receive(connection) { finished.insert(ObjectIdentifier(connection)) }
        }
        let later = monotonicSeconds()
        for connection in connections where !finished.contains(ObjectIdentifier(connection)) && connection.deadline <= later {
            expire(connection)
            finished.insert(ObjectIdentifier(connection))
        }
        if !finished.isEmpty { connections.removeAll { finished.contains(ObjectIdentifier($0)) } }
    }

    private func acceptAll() {
        for _ in 0..<64 {
            let accepted: (socket: Socket, peer: SocketAddress?)?
            do {
                accepted = try listener.accept()
            } catch {
                logger.error("accept failed, pausing for 100 ms: \(error)")
                acceptPausedUntil = monotonicSeconds() + 0.1
                return
            }
            guard let (socket, peer) = accepted else { return }
            let admitted = lock.withLock { () -> Bool in
                guard open < maxConnections else { return false }
                open += 1
                return true
            }
            guard admitted else {
                let error = HTTPError(.serviceUnavailable, "too many connections",
                                      detail: "the server holds \(maxConnections) connections; retry later",
                                      headers: HTTPHeaders([("Retry-After", "1")]), closesConnection: true)
                sendDirect(ResponseHead.closing(error), to: socket)
                onDirectResponse(error.status)
                try? socket.close()
                continue
            }
            try? socket.setNoDelay()
            connections.append(Connection(socket: socket, peer: peer, limits: limits,
                                          deadline: monotonicSeconds() + timeouts.requestHead))
        }
    }

    /// Reads what is there; false when the connection left the reactor (dispatched or closed).
    /// A client that half-closes after its request (`printf 'GET …' | nc`) still gets its answer;
    /// the connection closes after it.
    private func receive(_ connection: Connection) -> Bool {
        var ended = false
        while true {
            let count: Int?
            do {
                count = try scratch.withUnsafeMutableBytes { (raw) throws(Errno) in try connection.socket.receive(into: raw) }
            } catch {
                finalClose(connection)
                return false
            }
            guard let count else { break }
            if count == 0 {
                ended = true
                break
            }
            if connection.phase == .draining {
                connection.drainedBytes += count
                if connection.drainedBytes > 1 << 20 {
                    finalClose(connection)
                    return false
                }
                continue
            }
            connection.buffer.append(contentsOf: scratch[..<count])
            if count < scratch.count { break }
            if connection.buffer.count > limits.bodyBytes * 2 + limits.headerBytes + limits.requestLineBytes { break }
        }
        if ended, connection.phase == .draining || connection.buffer.isEmpty {
            finalClose(connection)
            return false
        }
        if connection.phase == .draining { return true }
        connection.inputEnded = ended
        guard process(connection) else { return false }
        if ended {
            // Still here: the request is incomplete and can never complete, or it was refused.
            finalClose(connection)
            return false
        }
        return true
    }

    /// Parses the buffered bytes; dispatches a complete request. False when the connection left.
    @discardableResult
    private func process(_ connection: Connection) -> Bool {
        if connection.phase == .awaitingRequest, !connection.buffer.isEmpty {
            connection.phase = .readingRequest
            connection.deadline = monotonicSeconds() + timeouts.requestHead
        }
        do throws(HTTPError) {
            guard connection.buffer.count <= limits.bodyBytes * 2 + limits.headerBytes + limits.requestLineBytes else {
                throw HTTPError(.payloadTooLarge, "request too large",
                                detail: "the request exceeds \(limits.bodyBytes) bytes of body with its framing",
                                closesConnection: true)
            }
            switch try connection.parser.parse(connection.buffer) {
            case .needMore:
                if connection.parser.isReadingBody {
                    if !connection.bodyDeadlineSet {
                        connection.bodyDeadlineSet = true
                        connection.deadline = monotonicSeconds() + timeouts.requestBody
                    }
                    if connection.parser.expectsContinue, !connection.sentContinue {
                        connection.sentContinue = true
                        sendDirect(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8), to: connection.socket)
                    }
                }
                return true
            case .complete(let request, let consumed):
                connection.buffer.removeFirst(consumed)
                connection.resetForNextRequest(limits: limits)
                connections.removeAll { $0 === connection }
                dispatch(connection, request)
                return false
            }
        } catch {
            logger.debug("rejecting a request from \(connection.peer?.description ?? "?"): \(error)")
            sendDirect(ResponseHead.closing(error), to: connection.socket)
            onDirectResponse(error.status)
            beginLingeringClose(connection, alreadyListed: true)
            return true
        }
    }

    /// A deadline passed: idle connections close quietly, a half-received request gets `408`.
    private func expire(_ connection: Connection) {
        switch connection.phase {
        case .awaitingRequest, .draining:
            finalClose(connection)
        case .readingRequest:
            let error = HTTPError(.requestTimeout, "request timeout",
                                  detail: connection.bodyDeadlineSet
                                    ? "the request body did not arrive within \(timeouts.requestBody) s"
                                    : "the request head did not arrive within \(timeouts.requestHead) s",
                                  closesConnection: true)
            sendDirect(ResponseHead.closing(error), to: connection.socket)
            onDirectResponse(error.status)
            finalClose(connection)
        }
    }

    /// Shuts the sending side and keeps reading for a short while before closing.
    private func beginLingeringClose(_ connection: Connection, alreadyListed: Bool = false) {
        do {
            try connection.socket.shutdown(.write)
        } catch {
            if alreadyListed { connections.removeAll { $0 === connection } }
            finalClose(connection)
            return
        }
        connection.phase = .draining
        connection.buffer = []
        connection.deadline = monotonicSeconds() + timeouts.linger
        if !alreadyListed { connections.append(connection) }
    }

    private func finalClose(_ connection: Connection) {
        try? connection.socket.close()
        lock.withLock { open -= 1 }
    }

    /// Sends a small response without waiting: the socket buffer of a connection that is not
    /// being answered otherwise is empty and takes it whole; if not, the rest is dropped.
    private func sendDirect(_ bytes: [UInt8], to socket: Socket) {
        _ = bytes.withUnsafeBytes { raw in try? socket.send(raw) }
    }
}
