import ArgumentParser
import TapedeckHTTP
import TapedeckPOSIX
import TapedeckQuery
import TapedeckStorage

/// The HTTP service's flags, shared by `serve` and `run`.
struct ServeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Address and port to listen on: 127.0.0.1:8080, [::1]:8080, 0.0.0.0:8080 (port 0: any free port).",
                               valueName: "addr:port"))
    var listen = "127.0.0.1:8080"

    @Option(name: .customLong("token-file"), help: ArgumentHelp(
        "File of bearer tokens, one per line; clients must send 'Authorization: Bearer TOKEN'.", valueName: "file"))
    var tokenFile: String?

    @Flag(name: .customLong("insecure-no-auth"), help: "Serve a non-loopback address without tokens.")
    var insecureNoAuth = false

    @Option(name: .customLong("max-concurrent-queries"), help: "Queries running at once; more get 503 (default: cores, at least 2).")
    var maxConcurrentQueries: Int?

    @Option(name: .customLong("max-result-bytes"), help: ArgumentHelp(
        "Largest result of one query (500MiB, 4GiB); larger results are cut there (default 4GiB).", valueName: "size"))
    var maxResultBytes: String?

    @Option(name: .customLong("query-timeout"), help: ArgumentHelp(
        "Longest a query may run, sending included (30s, 5m); then its response is cut off (default 5m).", valueName: "duration"))
    var queryTimeout: String?

    @Option(name: .customLong("max-alert-wait"), help: ArgumentHelp(
        "Longest wait /v1/alerts?wait= may ask for (default 5m); longer is a 400.", valueName: "duration"))
    var maxAlertWait: String?

    @Option(name: .customLong("header-timeout"), help: ArgumentHelp(
        "Time a client has to send a request head, from its first byte (default 10s); then 408.", valueName: "duration"))
    var headerTimeout: String?

    func validate() throws {
        _ = try serverConfiguration(tokens: BearerTokens([]))
    }

    /// The server configuration the flags describe, with `tokens`.
    func serverConfiguration(tokens: BearerTokens) throws -> HTTPServerConfiguration {
        guard let address = SocketAddress(listen) else {
            throw ValidationError("--listen: '\(listen)' is not IPv4:PORT or [IPv6]:PORT (e.g. 127.0.0.1:8080, [::1]:8080)")
        }
        var configuration = HTTPServerConfiguration(listenAddress: address)
        configuration.tokens = tokens
        configuration.allowUnauthenticatedRemoteAccess = insecureNoAuth
        if let maxConcurrentQueries {
            guard maxConcurrentQueries >= 1 else { throw ValidationError("--max-concurrent-queries must be at least 1") }
            configuration.maxConcurrentQueries = maxConcurrentQueries
        }
        if let maxResultBytes {
            guard case .bytes(let bytes)? = RetentionPolicy.Amount(maxResultBytes), bytes > 0 else {
                throw ValidationError("--max-result-bytes: '\(maxResultBytes)' is not a size (like 500MiB or 4GiB)")
            }
            configuration.maxResultBytes = Int(bytes)
        }
        if let queryTimeout {
            guard let nanoseconds = TimeText.parseDuration(queryTimeout), nanoseconds > 0 else {
                throw ValidationError("--query-timeout: '\(queryTimeout)' is not a duration (like 30s or 5m)")
            }
            configuration.queryTimeout = Double(nanoseconds) / 1e9
        }
        if let maxAlertWait {
            guard let nanoseconds = TimeText.parseDuration(maxAlertWait) else {
                throw ValidationError("--max-alert-wait: '\(maxAlertWait)' is not a duration (like 30s or 5m)")
            }
            configuration.maxAlertWait = Double(nanoseconds) / 1e9
        }
        if let headerTimeout {
            guard let nanoseconds = TimeText.parseDuration(headerTimeout), nanoseconds > 0 else {
                throw ValidationError("--header-timeout: '\(headerTimeout)' is not a duration (like 10s)")
            }
            configuration.timeouts.requestHead = Double(nanoseconds) / 1e9
        }
        return configuration
    }

    /// The server configuration the flags describe, with the tokens of `--token-file`.
    func serverConfiguration() throws -> HTTPServerConfiguration {
        var tokens = BearerTokens([])
        if let tokenFile {
            do {
                tokens = BearerTokens(fileContents: try FileSystem.readWholeFile(tokenFile))
            } catch {
                printError("error: cannot read --token-file \(tokenFile): \(error.message)")
                throw ExitCode(1)
            }
            if tokens.isEmpty {
                printError("error: --token-file \(tokenFile) holds no token")
                throw ExitCode(1)
            }
        }
        return try serverConfiguration(tokens: tokens)
    }
}
