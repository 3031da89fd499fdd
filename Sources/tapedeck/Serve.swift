import ArgumentParser
import Logging
import TapedeckHTTP
import TapedeckPOSIX
import TapedeckQuery
import TapedeckStorage

/// `tapedeck serve`: the HTTP API over a store, until SIGINT or SIGTERM.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the store's packets over HTTP (Stenographer's /query, /v1/pcap, /v1/alerts, stats, metrics).",
        discussion: """
            The API is described in api/openapi.yaml and served at /openapi.yaml. Stenographer's \
            stenoread works against it: curl -s -d 'host 10.0.0.1 and after 5m ago' http://127.0.0.1:8080/query. \
            A non-loopback listen address needs --token-file (or --insecure-no-auth). \
            SIGINT/SIGTERM stops accepting, lets running responses finish for a few seconds, and exits 0.
            """)

    @OptionGroup var storeOptions: StoreOptions

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

    @Flag(name: .shortAndLong, help: "Log every query.")
    var verbose = false

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

    func run() throws {
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
        let configuration = try serverConfiguration(tokens: tokens)
        if (try? StoreReader(directory: storeOptions.directory)) == nil {
            printError("warning: \(storeOptions.directory) is not a store yet; queries get 503 until a recorder or an import creates it")
        }
        let logger = makeLogger(verbose: verbose)
        let target = ServerBox()
        let signals = try SignalWaiter { signal in
            logger.notice("stopping on signal \(signal)")
            target.server?.stop()
        }
        let server = try HTTPServer(configuration: configuration, store: storeOptions.directory, logger: logger)
        target.server = server
        let address: SocketAddress
        do {
            address = try server.start()
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        // One parseable line: tests and scripts that ask for port 0 read the port from it.
        printError("tapedeck serve: listening on \(address), store \(storeOptions.directory)")
        server.wait()
        withExtendedLifetime(signals) {}
    }
}

/// Where the signal thread finds the server once it exists.
private final class ServerBox: @unchecked Sendable {
    var server: HTTPServer?
}
