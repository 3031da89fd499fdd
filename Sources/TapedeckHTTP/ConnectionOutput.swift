#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import TapedeckPOSIX

/// Why a response could not be sent.
enum OutputError: Error, CustomStringConvertible {
    /// The client is gone (`EPIPE`, `ECONNRESET`, …): it closed the connection or reset it.
    case peerGone(Errno)
    /// The client read nothing for the send timeout.
    case stalled(seconds: Double)
    /// The query's time limit passed while sending.
    case timeLimit
    /// The server is shutting down and cut the response.
    case cut

    var description: String {
        switch self {
        case .peerGone(let errno): "client gone: \(errno.message)"
        case .stalled(let seconds): "client read nothing for \(seconds) s"
        case .timeLimit: "query time limit reached while sending"
        case .cut: "server shutting down"
        }
    }
}

/// The sending side of a connection for one worker: bytes collect in a buffer and go out in
/// large sends; when the socket buffer is full the worker waits in `poll` for room, for the
/// server's cut signal, or until the client has read nothing for the send timeout.
final class ConnectionOutput {
    /// Bytes collected before a send (64 KiB: one pcap writer buffer plus chunk framing).
    static let capacity = 64 * 1024 + 64

    let socket: Socket
    private let sendTimeout: Double
    private let cut: EventNotifier
    private var buffer: [UInt8] = []
    /// Monotonic time after which sending fails with ``OutputError/timeLimit``.
    var timeLimit: Double?
    /// Bytes handed to the kernel so far.
    private(set) var bytesSent = 0

    init(socket: Socket, sendTimeout: Double, cut: EventNotifier) {
        self.socket = socket
        self.sendTimeout = sendTimeout
        self.cut = cut
        buffer.reserveCapacity(Self.capacity)
    }

    /// Queues `bytes`, sending first if the buffer would overflow.
    func write(_ bytes: UnsafeRawBufferPointer) throws(OutputError) {
        if buffer.count + bytes.count > Self.capacity { try flush() }
        if bytes.count > Self.capacity {
            try send(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Queues the UTF-8 bytes of `text`.
    func write(_ text: String) throws(OutputError) {
        try write(Array(text.utf8))
    }

    /// Queues `bytes`.
    func write(_ bytes: [UInt8]) throws(OutputError) {
        var failure: OutputError?
        bytes.withUnsafeBytes { raw in
            do throws(OutputError) { try write(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Sends everything queued.
    func flush() throws(OutputError) {
        guard !buffer.isEmpty else { return }
        var failure: OutputError?
        buffer.withUnsafeBytes { raw in
            do throws(OutputError) { try send(raw) } catch { failure = error }
        }
        buffer.removeAll(keepingCapacity: true)
        if let failure { throw failure }
    }

    private func send(_ bytes: UnsafeRawBufferPointer) throws(OutputError) {
        var done = 0
        var lastProgress = monotonicSeconds()
        while done < bytes.count {
            let sent: Int?
            do {
                sent = try socket.send(UnsafeRawBufferPointer(rebasing: bytes[done...]))
            } catch {
                throw .peerGone(error)
            }
            if let sent {
                done += sent
                bytesSent += sent
                lastProgress = monotonicSeconds()
                continue
            }
            let now = monotonicSeconds()
            var wait = lastProgress + sendTimeout - now
            if let timeLimit { wait = min(wait, timeLimit - now) }
            if wait <= 0 {
                if let timeLimit, timeLimit <= now { throw .timeLimit }
                throw .stalled(seconds: sendTimeout)
            }
            var descriptors = [pollfd(fd: socket.rawValue, events: Int16(POLLOUT), revents: 0),
                               pollfd(fd: cut.descriptor.rawValue, events: Int16(POLLIN), revents: 0)]
            do {
                _ = try descriptors.withUnsafeMutableBufferPointer { (pointer) throws(Errno) in
                    try Poll.wait(pointer, timeoutMilliseconds: Int32(min(wait * 1000 + 1, 60_000)))
                }
            } catch {
                throw .peerGone(error)
            }
            if descriptors[1].revents != 0 { throw .cut }
        }
    }
}
