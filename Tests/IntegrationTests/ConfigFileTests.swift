import Foundation
import Testing

/// `--config FILE`: a file of flags, one per line, in front of the command line's own.
@Suite struct ConfigFileTests {
    @Test func flagsComeFromTheFileAndTheCommandLineAddsToThem() async throws {
        let scratch = try TemporaryDirectory("config")
        let store = scratch.path("configured-store")
        let config = try scratch.write("tapedeck.conf", Array("""
            # where and how much
            --store \(store)
            --disk-budget 1GiB

            --max-age 30d
            """.utf8))
        let executable = try Tool.tapedeck()
        let imported = try await ProcessRunner.run(executable, ["import", "--config", config, "--no-progress", Fixtures.path("rdp.pcap")])
        #expect(imported.succeeded, "\(imported.summary)")
        let cli = try TapedeckCLI(store: store)
        #expect(try await cli.exportAll().count == 2010)
        // A value with spaces keeps them; a line that is not a flag is an error that names the file.
        let filter = try scratch.write("query.conf", Array("--store \(store)\n--limit-packets 3\n".utf8))
        let (queried, _) = try await cli.query("tcp and port 3389", options: ["--config=\(filter)"])
        #expect(queried.succeeded, "\(queried.summary)")
        let bad = try scratch.write("bad.conf", Array("interface eth0\n".utf8))
        let refused = try await ProcessRunner.run(executable, ["inspect", "--config", bad])
        #expect(!refused.succeeded && refused.stderrText.contains("bad.conf: 'interface eth0' is not a flag"), "\(refused.summary)")
    }
}
