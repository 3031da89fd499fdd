import ArgumentParser
import Logging
import TapedeckHTTP
import TapedeckPOSIX
import TapedeckQuery
import TapedeckStorage

/// `tapedeck serve`: the HTTP API over a store, until SIGINT or SIGTERM.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the store's packets over HTTP (Stenographer's /query, /v1/pcap, /v1/alerts, /v1/evidence, stats, metrics).",
        discussion: """
            The API is described in api/openapi.yaml and served at /openapi.yaml. Stenographer's \
            stenoread works against it: curl -s -d 'host 10.0.0.1 and after 5m ago' http://127.0.0.1:8080/query. \
            A non-loopback listen address needs --token-file (or --insecure-no-auth). \
            SIGINT/SIGTERM stops accepting, lets running responses finish for a few seconds, and exits 0.
            """)

    @OptionGroup var storeOptions: StoreOptions

    @OptionGroup(title: "HTTP") var serveOptions: ServeOptions

    @Option(name: .customLong("evidence-dir"), help: ArgumentHelp(
        "The evidence directory `tapedeck evidence` writes; served at /v1/evidence.", valueName: "dir"))
    var evidenceDirectory: String?

    @Flag(name: .shortAndLong, help: "Log every query.")
    var verbose = false

    func run() throws {
        var configuration = try serveOptions.serverConfiguration()
        configuration.evidenceDirectory = evidenceDirectory
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
