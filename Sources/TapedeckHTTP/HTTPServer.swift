#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import Prometheus
import TapedeckPOSIX

/// Tapedeck's HTTP/1.1 API over its store: Stenographer's `POST /query`, `GET /v1/pcap`,
/// `POST /v1/alerts`, `GET /v1/stats`, `GET /metrics`, `GET /healthz` and `GET /openapi.yaml`
/// (see `api/openapi.yaml`).
///
/// ## Threads
/// One reactor thread accepts connections and reads requests without blocking
/// (``ConnectionReactor``); a fixed pool of worker threads answers complete requests, so a slow
/// or idle client never holds a worker while it sends. Queries run on the workers, at most
/// ``HTTPServerConfiguration/maxConcurrentQueries`` at once (more get `503`): the pool is
/// bounded, so queries cannot starve a recorder in the same process of threads or memory, and
/// results stream in 64 KiB chunks as the executor produces them.
///
/// ## Life cycle
/// ``start()`` binds and starts the threads; ``stop()`` stops accepting, lets running
/// responses finish for the grace period, cuts the rest, and returns when every thread is done.
public final class HTTPServer: @unchecked Sendable {
    /// The configuration.
    public let configuration: HTTPServerConfiguration
    /// The store directory that queries read.
    public let storeDirectory: String
    let logger: Logger
    let metrics: ServerMetrics
    private var router = Router()
    private let jobs: BlockingQueue<(Connection, HTTPRequest)?>
    private let cut: EventNotifier
    private let lock = ConditionLock()
    private var reactor: ConnectionReactor?
    private var workers: [OSThread] = []
    private var reactorThread: OSThread?
    private var stopping = false
    private var stopped = false
    private var cutting = false
    /// The address the server listens on, once started (with the real port when 0 was asked for).
    public private(set) var boundAddress: SocketAddress?

    /// A server for the store at `store`; nothing happens until ``start()``.
    /// - Parameters:
    ///   - metrics: The registry `/metrics` exposes; the server registers its metrics there
    ///     (pass the process's registry to expose other modules' metrics too).
    public init(configuration: HTTPServerConfiguration, store: String, logger: Logger,
                metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) throws(HTTPServerError) {
        self.configuration = configuration
        storeDirectory = store
        self.logger = logger
        self.metrics = ServerMetrics(registry: metrics)
        jobs = BlockingQueue(capacity: configuration.maxConnections + 1)
        do { cut = try EventNotifier() } catch { throw .cannotStartThread(error) }
        registerRoutes(into: &router)
    }

    /// Binds the listen address and starts the threads; returns the bound address.
    /// - Throws: ``HTTPServerError/unauthenticatedRemoteAccess(_:)`` for a non-loopback address
    ///   without tokens (unless allowed), or when binding or starting a thread fails.
    @discardableResult
    public func start() throws(HTTPServerError) -> SocketAddress {
        let address = configuration.listenAddress
        if !address.isLoopback, configuration.tokens.isEmpty, !configuration.allowUnauthenticatedRemoteAccess {
            throw .unauthenticatedRemoteAccess(address)
        }
        let fresh = lock.withLock { self.reactor == nil && !stopped }
        guard fresh else { throw .alreadyStarted }
        do throws(Errno) { try SignalDisposition.ignore(SIGPIPE) } catch { throw .cannotStartThread(error) }
        let listener: Socket
        let bound: SocketAddress
        do {
            listener = try Socket.listening(on: address)
            bound = try listener.localAddress()
        } catch {
            throw .cannotListen(address, error)
        }
        let reactor: ConnectionReactor
        do {
            reactor = try ConnectionReactor(
                listener: listener, limits: configuration.limits, timeouts: configuration.timeouts,
                maxConnections: configuration.maxConnections, logger: logger,
                dispatch: { [jobs] connection, request in jobs.push((connection, request)) },
                onDirectResponse: { [metrics] status in metrics.countResponse(status) })
        } catch {
            try? listener.close()
            throw .cannotStartThread(error)
        }
        lock.withLock {
            self.reactor = reactor
            boundAddress = bound
        }
        do {
            reactorThread = try OSThread(name: "http-reactor") { reactor.run() }
            let count = configuration.workerThreads ?? configuration.maxConcurrentQueries + 2
            for index in 0..<max(1, count) {
                workers.append(try OSThread(name: "http-worker-\(index)") { [self] in work() })
            }
        } catch {
            stop()
            throw .cannotStartThread(error)
        }
        logger.info("serving HTTP", metadata: [
            "address": "\(bound)", "store": "\(storeDirectory)",
            "authentication": "\(configuration.tokens.isEmpty ? "none" : "\(configuration.tokens.count) bearer tokens")",
        ])
        return bound
    }

    /// Stops the server: no new connections or requests, running responses get the grace
    /// period to finish, then are cut. Returns when every thread has ended. Safe to call more
    /// than once and from any thread but the server's own.
    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopping = true }
            return !stopping
        }
        guard first else {
            wait()
            return
        }
        let reactor = lock.withLock { self.reactor }
        reactor?.stop()
        let deadline = monotonicSeconds() + configuration.shutdownGracePeriod
        lock.withLock {
            while monotonicSeconds() < deadline, (reactor?.openConnections ?? 0) > 0 {
                lock.wait(timeoutSeconds: 0.05)
            }
            cutting = true
        }
        cut.notify()
        for _ in workers { jobs.push(nil) }
        for worker in workers { worker.join() }
        reactorThread?.join()
        lock.withLock {
            stopped = true
            lock.broadcast()
        }
        logger.info("HTTP server stopped")
    }

    /// Waits until ``stop()`` has finished.
    public func wait() {
        lock.withLock {
            while !stopped { lock.wait() }
        }
    }

    /// Whether the server is shutting down (responses then close their connections).
    var isStopping: Bool { lock.withLock { stopping } }

    /// Whether running responses must stop now.
    var isCutting: Bool { lock.withLock { cutting } }

    /// The descriptor that becomes readable when running responses must stop.
    var cutDescriptor: Int32 { cut.descriptor.rawValue }

    /// Connections open now.
    var openConnections: Int { lock.withLock { reactor }?.openConnections ?? 0 }

    private func work() {
        while let (connection, request) = jobs.pop() {
            serve(connection, request)
        }
    }

    /// Answers one request and hands the connection back to the reactor.
    private func serve(_ connection: Connection, _ request: HTTPRequest) {
        let output = ConnectionOutput(socket: connection.socket, sendTimeout: configuration.timeouts.send, cut: cut)
        let exchange = HTTPExchange(request: request, output: output, keepAlive: !isStopping && !connection.inputEnded)
        var reusable = true
        do {
            try handle(exchange)
        } catch let error as HTTPError {
            reusable = respond(exchange, error)
        } catch let error as OutputError {
            logger.debug("response not delivered", metadata: ["path": "\(request.path)", "reason": "\(error)"])
            reusable = false
        } catch let error as ResponseAborted {
            logger.info("response cut off", metadata: ["path": "\(request.path)", "reason": "\(error)"])
            reusable = false
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.path)", "error": "\(error)"])
            reusable = respond(exchange, HTTPError(.internalServerError, "internal error", detail: "the server log has details"))
        }
        if let status = exchange.status { metrics.countResponse(status) }
        guard let reactor = lock.withLock({ self.reactor }) else { return }
        if reusable, exchange.keepAlive {
            reactor.resume(connection)
        } else {
            reactor.close(connection)
        }
    }

    /// Sends `error` if the head is not out yet; whether the connection is still usable.
    private func respond(_ exchange: HTTPExchange, _ error: HTTPError) -> Bool {
        guard !exchange.responseStarted else { return false }
        do {
            try exchange.respond(error)
            return true
        } catch {
            return false
        }
    }

    private func handle(_ exchange: HTTPExchange) throws {
        let request = exchange.request
        switch router.match(method: request.method, path: request.path) {
        case .notFound:
            throw HTTPError(.notFound, "not found", detail: "no resource at \(request.path.prefix(256)); see /openapi.yaml")
        case .methodNotAllowed(let allowed):
            throw HTTPError(.methodNotAllowed, "method not allowed",
                            detail: "\(request.path) allows \(allowed.joined(separator: ", "))",
                            headers: HTTPHeaders([("Allow", allowed.joined(separator: ", "))]))
        case .found(let route, let parameters):
            if route.authenticated, !configuration.tokens.isEmpty {
                let authorization = request.headers["Authorization"]
                guard configuration.tokens.accepts(authorization: authorization) else {
                    let challenge = authorization == nil ? "Bearer realm=\"tapedeck\"" : "Bearer realm=\"tapedeck\", error=\"invalid_token\""
                    throw HTTPError(.unauthorized, "unauthorized",
                                    detail: authorization == nil ? "this server requires 'Authorization: Bearer TOKEN'" : "the bearer token is not valid",
                                    headers: HTTPHeaders([("WWW-Authenticate", challenge)]))
                }
            }
            try route.handler(exchange, parameters)
        }
    }
}
