import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A running `tapedeck serve` on an ephemeral loopback port, for the HTTP integration tests.
/// The port comes from the one line the server prints on standard error,
/// `tapedeck serve: listening on 127.0.0.1:PORT, …`.
final class ServeProcess: @unchecked Sendable {
    let process: RunningProcess
    /// `127.0.0.1:PORT`.
    let address: String
    private let log: String
    /// Kept alive as long as the server: it holds the store and the log.
    private let scratch: TemporaryDirectory

    /// Starts `tapedeck serve --store STORE --listen LISTEN ARGUMENTS` and waits (at most 30 s)
    /// until it reports its port.
    init(store: String, _ arguments: [String] = [], listen: String = "127.0.0.1:0", scratch: TemporaryDirectory) async throws {
        self.scratch = scratch
        log = scratch.path("serve-\(UUID().uuidString).log")
        process = try RunningProcess("/bin/sh", ["-c", "exec \"$0\" \"$@\" 2> \"\(log)\"", try Tool.tapedeck(), "serve",
                                                 "--store", store, "--listen", listen] + arguments)
        let deadline = Date().addingTimeInterval(30)
        while true {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on ") {
                let rest = text[range.upperBound...]
                address = String(rest.prefix { $0 != "," && !$0.isNewline })
                return
            }
            if process.hasEnded {
                throw TestFailure(description: "tapedeck serve ended before listening: \(text)")
            }
            if Date() > deadline { throw TestFailure(description: "tapedeck serve did not report its port in 30 s: \(text)") }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    /// `http://127.0.0.1:PORT` + `path`.
    func url(_ path: String) -> String { "http://\(address)\(path)" }

    /// The port.
    var port: UInt16 { UInt16(address.split(separator: ":").last ?? "") ?? 0 }

    /// What the server wrote on standard error so far.
    var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits for the exit.
    func terminate() async -> ProcessResult {
        process.kill(SIGTERM)
        return await process.wait()
    }

    deinit {
        process.kill(SIGKILL)
    }
}

/// An HTTP response as curl saw it.
struct CurlResponse: Sendable {
    /// The final status (after any `100 Continue`); 0 when curl got none.
    var status: Int
    /// Header fields of the final response, names lower-cased.
    var headers: [String: String]
    /// The body.
    var body: [UInt8]
    /// curl's own result (its exit status tells transfer errors).
    var result: ProcessResult

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as a JSON object.
    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw TestFailure(description: "not a JSON object: \(text)")
        }
        return object
    }

    /// The body parsed as a capture file that must be complete.
    func capture() throws -> CaptureFile {
        let file = try CaptureFile(bytes: body)
        if let damage = file.damageOffset { throw TestFailure(description: "damaged capture at \(damage) of \(body.count) bytes") }
        return file
    }
}

/// curl (Debian package `curl`), the real HTTP client of the tests.
enum Curl {
    static func path() throws -> String { try Tool.find("curl", package: "curl") }

    /// `curl -sS -D HEADERS -o BODY ARGUMENTS URL`.
    static func request(_ url: String, _ arguments: [String] = []) async throws -> CurlResponse {
        let scratch = try TemporaryDirectory("curl")
        let headersPath = scratch.path("headers"), bodyPath = scratch.path("body")
        let result = try await ProcessRunner.run(try path(), ["-sS", "-D", headersPath, "-o", bodyPath] + arguments + [url])
        let headerText = (try? String(contentsOfFile: headersPath, encoding: .utf8)) ?? ""
        // The last response block (a `100 Continue` may precede the final one).
        let blocks = headerText.components(separatedBy: "\r\n\r\n").filter { !$0.isEmpty }
        var status = 0
        var headers: [String: String] = [:]
        if let last = blocks.last {
            let lines = last.components(separatedBy: "\r\n")
            status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        let body = [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: bodyPath))) ?? Data())
        return CurlResponse(status: status, headers: headers, body: body, result: result)
    }
}

/// A plain TCP client for what curl will not send: malformed requests, slow requests, and a
/// reader that stops reading or hangs up mid-response.
final class RawConnection: @unchecked Sendable {
    private let descriptor: Int32

    /// Connects to 127.0.0.1:`port`.
    init(port: UInt16) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(descriptor)
            throw TestFailure(description: "connect to port \(port): errno \(errno)")
        }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sets a small receive buffer (before any data arrives), so that the server fills it fast.
    func shrinkReceiveBuffer() {
        var size: Int32 = 4096
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Sends all of `text`; false if the server closed the connection.
    @discardableResult
    func send(_ text: String) -> Bool {
        send(Array(text.utf8))
    }

    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let count = bytes[done...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { return false }
            done += count
        }
        return true
    }

    /// Shuts down the sending side (`shutdown(SHUT_WR)`): the server reads end of file.
    func finishSending() {
        shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Reads until the server closes the connection (or 20 s pass, or `limit` bytes arrived), on
    /// a thread of its own: a blocking `recv` must not hold one of the few threads of Swift's
    /// cooperative pool, which the other tests running in parallel need.
    func readToEnd(limit: Int = 1 << 20) async -> [UInt8] {
        await offThePool { self.blockingReadToEnd(limit: limit) }
    }

    /// Reads at least `count` bytes (or what arrives before the connection ends), on a thread of
    /// its own.
    func read(atLeast count: Int) async -> [UInt8] {
        await offThePool { self.blockingRead(atLeast: count) }
    }

    private func offThePool(_ body: @escaping @Sendable () -> [UInt8]) async -> [UInt8] {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: body()) }
        }
    }

    private func blockingReadToEnd(limit: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while bytes.count < limit {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            bytes += buffer[..<count]
        }
        return bytes
    }

    private func blockingRead(atLeast count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < count {
            let received = recv(descriptor, &buffer, buffer.count, 0)
            if received <= 0 { break }
            bytes += buffer[..<received]
        }
        return bytes
    }

    /// Closes at once, discarding unread data (the server sees a reset).
    func close() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        Glibc.close(descriptor)
    }
}

/// Polls `condition` every 50 ms until it holds or `seconds` pass; the tests never sleep a fixed time.
func eventually(_ what: String, within seconds: Double = 20, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        if try await condition() { return }
        if Date() > deadline { throw TestFailure(description: "not within \(seconds) s: \(what)") }
        try await Task.sleep(nanoseconds: 50_000_000)
    }
}

/// The `queries` object of `GET /v1/stats`.
func queryStats(_ server: ServeProcess, _ arguments: [String] = []) async throws -> [String: Int] {
    let response = try await Curl.request(server.url("/v1/stats"), arguments)
    guard response.status == 200, let queries = try response.json()["queries"] as? [String: Int] else {
        throw TestFailure(description: "/v1/stats: \(response.status) \(response.text)")
    }
    return queries
}
