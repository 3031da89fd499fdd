import Foundation

/// A failed step of a test's setup, with the context to understand it.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
}

/// Runs the `tapedeck` binary under test against one store directory.
struct TapedeckCLI: Sendable {
    /// The binary.
    let executable: String
    /// The store directory every command gets as `--store`.
    let store: String
    /// The temporary directory the store lives in, kept alive as long as this value.
    private let scratch: TemporaryDirectory?

    /// A CLI for `store`, with the binary found beside the test bundle.
    init(store: String) throws {
        executable = try Tool.tapedeck()
        self.store = store
        scratch = nil
    }

    /// A CLI for the store `store` inside `scratch` (not created yet: `import` makes it); keeps
    /// `scratch` from being removed while the CLI is in use.
    init(in scratch: TemporaryDirectory) throws {
        executable = try Tool.tapedeck()
        store = scratch.path("store")
        self.scratch = scratch
    }

    /// `tapedeck <subcommand> --store STORE <arguments>`.
    func run(_ subcommand: String, _ arguments: [String], stdoutPath: String? = nil) async throws -> ProcessResult {
        try await ProcessRunner.run(executable, [subcommand, "--store", store] + arguments, stdoutPath: stdoutPath)
    }

    /// `tapedeck import --no-progress FILES`, whatever its outcome.
    func importFiles(_ files: [String]) async throws -> ProcessResult {
        try await run("import", ["--no-progress"] + files)
    }

    /// `tapedeck import`, which must succeed.
    func importSucceeding(_ files: [String]) async throws {
        let result = try await importFiles(files)
        guard result.succeeded else { throw TestFailure(description: "import failed: \(result.summary)") }
    }

    /// `tapedeck query [options] QUERY` with standard output sent to a file; returns the process
    /// result and the output file's bytes.
    func query(_ query: String, options: [String] = []) async throws -> (ProcessResult, [UInt8]) {
        let scratch = try TemporaryDirectory("query")
        let output = scratch.path("out")
        let result = try await run("query", options + ["--", query], stdoutPath: output)
        let bytes = (try? Data(contentsOf: URL(fileURLWithPath: output))).map { [UInt8]($0) } ?? []
        return (result, bytes)
    }

    /// The packets of a query that must succeed, parsed by the test's own reader; the output
    /// must be a complete, undamaged capture file.
    func queryPackets(_ query: String, options: [String] = []) async throws -> CaptureFile {
        let (result, bytes) = try await self.query(query, options: options)
        guard result.succeeded else { throw TestFailure(description: "query '\(query)' failed: \(result.summary)") }
        let file: CaptureFile
        do {
            file = try CaptureFile(bytes: bytes)
        } catch {
            throw TestFailure(description: "query '\(query)' wrote \(bytes.count) bytes that are not a capture file: \(error)")
        }
        if let damage = file.damageOffset {
            throw TestFailure(description: "query '\(query)' wrote a damaged capture file (\(bytes.count) bytes, damage at \(damage))")
        }
        return file
    }

    /// Every stored packet: `query --format pcapng 'after 1970-01-01T00:00:00Z'`.
    func exportAll() async throws -> [CapturedPacket] {
        try await queryPackets("after 1970-01-01T00:00:00Z", options: ["--format", "pcapng"]).packets
    }

    /// `tapedeck inspect --verify`.
    func verify() async throws -> ProcessResult {
        try await run("inspect", ["--verify"])
    }
}
