#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TapedeckPOSIX

/// How an ``HTTPServer`` listens, whom it serves, and how much it gives each client.
public struct HTTPServerConfiguration: Sendable {
    /// The address to listen on. Default `127.0.0.1:8080`; port 0 picks a free port.
    public var listenAddress: SocketAddress
    /// Bearer tokens; when not empty, every route but `/healthz` requires one. Default none.
    public var tokens = BearerTokens([])
    /// Serve a non-loopback address without tokens. Default false: ``HTTPServer/start()``
    /// refuses, since anyone who reaches the address could read every stored packet.
    public var allowUnauthenticatedRemoteAccess = false
    /// Queries (pcap-producing requests) that may run at once; more get `503` with
    /// `Retry-After`. Default: the number of cores, at least 2.
    public var maxConcurrentQueries = max(2, HTTPServerConfiguration.processorCount)
    /// Worker threads that answer requests. Default: ``maxConcurrentQueries`` + 2, so that
    /// stats, metrics and health checks are answered while every query slot is busy.
    public var workerThreads: Int?
    /// Connections open at once; more get `503` and are closed. Default 256.
    public var maxConnections = 256
    /// Largest query result in bytes of packet records (as `Steno-Limit-Bytes` counts them); a
    /// result is cut there, like with a client's own limit. Default 4 GiB.
    public var maxResultBytes = 4 << 30
    /// Longest a query may run, in seconds, including sending; then its response is cut off
    /// (the stream ends without its final chunk). Default 300 s.
    public var queryTimeout = 300.0
    /// Longest `/v1/alerts?wait=` may wait for a window to complete, in seconds. Default 300 s.
    public var maxAlertWait = 300.0
    /// The evidence directory `GET /v1/evidence` lists and serves (written by the evidence
    /// consumer); nil answers those routes with `404`. Default nil.
    public var evidenceDirectory: String?
    /// Request size limits.
    public var limits = RequestLimits()
    /// Client timeouts.
    public var timeouts = HTTPTimeouts()
    /// How long ``HTTPServer/stop()`` lets running responses finish before cutting them, in
    /// seconds. Default 5 s.
    public var shutdownGracePeriod = 5.0

    /// A configuration with the defaults above.
    public init(listenAddress: SocketAddress = SocketAddress("127.0.0.1:8080")!) {
        self.listenAddress = listenAddress
    }

    /// The number of online processors (`sysconf(_SC_NPROCESSORS_ONLN)`).
    public static var processorCount: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
