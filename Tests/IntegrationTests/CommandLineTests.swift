import Foundation
import Testing

/// The CLI's error paths and output options: bad queries, missing stores, limits, microsecond
/// output, unwritable outputs, and `inspect --verify` on a damaged store.
@Suite("Command line: errors, limits and output options")
struct CommandLineTests {
    /// A store holding wechat.pcap (Ethernet, IPv4 and IPv6) in a temporary directory.
    static func wechatStore() async throws -> (TemporaryDirectory, TapedeckCLI) {
        let scratch = try TemporaryDirectory("cli")
        let cli = try TapedeckCLI(in: scratch)
        try await cli.importSucceeding([Fixtures.path("wechat.pcap")])
        return (scratch, cli)
    }

    // MARK: Bad queries

    /// A query the parser must refuse, and the 0-based column its caret must point at.
    struct BadQuery: Sendable, CustomTestStringConvertible {
        var query: String
        var column: Int
        var testDescription: String { query.debugDescription }
        init(_ query: String, at column: Int) {
            self.query = query
            self.column = column
        }
    }

    static let badQueries: [BadQuery] = [
        BadQuery("host 10.0.0.300", at: 5),                     // the address
        BadQuery("port 70000", at: 5),                          // the number
        BadQuery("host 1.2.3.4 and", at: 16),                   // the end, where an operand is missing
        BadQuery("(host 1.2.3.4 or port 80", at: 0),            // the '(' never closed
        BadQuery("host 1.2.3.4 and (tcp or (udp)", at: 17),     // the outer '(' never closed
        BadQuery("host 1.2.3.4)", at: 12),                      // the ')' with no '('
        BadQuery("net 10.0.0.0/33", at: 13),                    // the prefix length
        BadQuery("tcp and after 2024-13-01T00:00:00Z", at: 14), // the time
        BadQuery("tcp udp", at: 4),                             // the second primitive
        BadQuery("src 10.0.0.1", at: 4),                        // what follows src
    ]

    /// Exit status 2, nothing on standard output and no output file; standard error echoes the
    /// query with a caret line whose `^` is under the offending column.
    @Test(arguments: badQueries)
    func badQueryPointsAtTheMistake(_ bad: BadQuery) async throws {
        let (scratch, cli) = try await Self.wechatStore()
        let output = scratch.path("out.pcap")
        let (result, stdout) = try await cli.query(bad.query)
        #expect(result.status == 2 && !result.signaled, "\(result.summary)")
        #expect(stdout.isEmpty, "a refused query wrote \(stdout.count) bytes")
        let lines = result.stderrText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let echo = lines.firstIndex(of: bad.query), echo + 1 < lines.count else {
            Issue.record("stderr does not echo the query on a line of its own:\n\(result.stderrText)")
            return
        }
        let caret = lines[echo + 1]
        #expect(caret.firstIndex(of: "^").map { caret.distance(from: caret.startIndex, to: $0) } == bad.column,
                "caret not under column \(bad.column + 1):\n\(lines[echo])\n\(caret)")
        #expect(caret.prefix(bad.column).allSatisfy { $0 == " " }, "only spaces before the caret: '\(caret)'")
        #expect(lines.contains { $0.contains("column \(bad.column + 1)") }, "the message names the column:\n\(result.stderrText)")

        let (written, _) = try await cli.query(bad.query, options: ["-w", output])
        #expect(written.status == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["store"], "a refused query left files behind")
    }

    // MARK: Stores

    /// `query` and `inspect` on a directory that is no store say so, and create nothing.
    @Test func missingStoreIsNotATapedeckStore() async throws {
        let scratch = try TemporaryDirectory("nostore")
        for store in [scratch.path("missing"), scratch.path] {
            let cli = try TapedeckCLI(store: store)
            let output = scratch.path("out.pcap")
            let (query, stdout) = try await cli.query("tcp", options: ["-w", output])
            #expect(query.status == 1 && !query.signaled, "\(query.summary)")
            #expect(stdout.isEmpty)
            #expect(query.stderrText.contains("\(store) is not a usable Tapedeck store"), "\(query.stderrText)")
            let inspect = try await cli.run("inspect", [])
            #expect(inspect.status == 1 && inspect.stderrText.contains("not a usable Tapedeck store"), "\(inspect.summary)")
            #expect(!FileManager.default.fileExists(atPath: scratch.path("missing")), "a query created the store directory")
            #expect(!FileManager.default.fileExists(atPath: output), "a failed query left an output file")
        }
    }

    // MARK: Limits

    /// `--limit-packets N` gives exactly the first N packets of the full result.
    @Test func limitPacketsGivesTheFirstPackets() async throws {
        let (_, cli) = try await Self.wechatStore()
        let full = try await cli.queryPackets("tcp").packets
        #expect(full.count > 5)
        for limit in [0, 1, 5, full.count, full.count + 10] {
            let limited = try await cli.queryPackets("tcp", options: ["--limit-packets", "\(limit)"]).packets
            if let difference = PacketComparison.difference(expected: Array(full.prefix(limit)), actual: limited) {
                Issue.record("--limit-packets \(limit): \(difference)")
            }
        }
    }

    /// `--limit-bytes N` stops before the pcap records (16-byte header + captured bytes each)
    /// would exceed N: a prefix of the full result whose records fit, and the next would not.
    @Test func limitBytesStopsBeforeExceeding() async throws {
        let (_, cli) = try await Self.wechatStore()
        let full = try await cli.queryPackets("udp or tcp").packets
        let records = full.map { 16 + $0.data.count }
        let seven = records.prefix(7).reduce(0, +)
        // (limit, packets expected): exactly at a boundary, one byte short, one over, below one record.
        let cases = [(seven, 7), (seven - 1, 6), (seven + 1, 7), (records[0] - 1, 0), (0, 0)]
        for (limit, count) in cases {
            let (result, bytes) = try await cli.query("udp or tcp", options: ["--limit-bytes", "\(limit)"])
            #expect(result.succeeded, "\(result.summary)")
            let limited = try CaptureFile(bytes: bytes).packets
            #expect(bytes.count - 24 <= limit, "--limit-bytes \(limit) wrote \(bytes.count - 24) bytes of records")
            if let difference = PacketComparison.difference(expected: Array(full.prefix(count)), actual: limited) {
                Issue.record("--limit-bytes \(limit): \(difference)")
            }
        }
    }

    // MARK: Output

    /// `--usec` writes a microsecond pcap (magic a1b2c3d4) that tcpdump reads, with each time
    /// truncated to the microsecond; checked on a nanosecond input whose times have sub-µs digits.
    @Test func microsecondOutputTruncatesToMicroseconds() async throws {
        let scratch = try TemporaryDirectory("usec")
        var packets = try CaptureFile(path: Fixtures.path("rdp.pcap")).packets
        for index in packets.indices { packets[index].time += Int64(index % 1000) }  // 0…999 ns more
        let input = try scratch.write("rdp-ns.pcap", PcapWriter.file(packets, linkType: 0, nanoseconds: true))
        let cli = try TapedeckCLI(in: scratch)
        try await cli.importSucceeding([input])

        let nanosecond = try await cli.queryPackets("tcp")
        #expect(nanosecond.format == .pcap(nanoseconds: true, bigEndian: false))
        #expect(PacketComparison.difference(expected: packets, actual: nanosecond.packets) == nil, "nanoseconds are kept")

        let output = scratch.path("usec.pcap")
        let (result, _) = try await cli.query("tcp", options: ["--usec", "-w", output])
        #expect(result.succeeded, "\(result.summary)")
        let micro = try CaptureFile(path: output)
        #expect(micro.format == .pcap(nanoseconds: false, bigEndian: false))
        var truncated = packets
        for index in truncated.indices { truncated[index].time = truncated[index].time.floorDivided(by: 1000) * 1000 }
        if let difference = PacketComparison.difference(expected: truncated, actual: micro.packets) {
            Issue.record("--usec: \(difference)")
        }
        let reread = try await Tcpdump.filter(output, "")
        #expect(PacketComparison.difference(expected: truncated, actual: reread) == nil, "tcpdump reads the µs pcap differently")
    }

    /// `-w` into a directory that does not exist fails, names the place, and leaves no file.
    @Test func outputIntoMissingDirectoryFails() async throws {
        let (scratch, cli) = try await Self.wechatStore()
        let directory = scratch.path("no/such/dir")
        let (result, stdout) = try await cli.query("tcp", options: ["-w", directory + "/out.pcap"])
        #expect(result.status != 0 && !result.signaled, "\(result.summary)")
        #expect(stdout.isEmpty)
        #expect(result.stderrText.contains(directory + "/out.pcap: No such file or directory"),
                "the error must say where and why: \(result.stderrText)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["store"], "files were left behind")
    }

    // MARK: Verify

    /// Which file of a store to damage.
    enum Damage: String, Sendable, CaseIterable {
        case data, index
    }

    /// After one flipped byte in a segment's data or index file, `inspect --verify` exits 1 and
    /// names the damaged file; before, it passes.
    @Test(arguments: Damage.allCases)
    func verifyFindsAFlippedByte(_ damage: Damage) async throws {
        let scratch = try TemporaryDirectory("verify")
        let cli = try TapedeckCLI(in: scratch)
        try await cli.importSucceeding([Fixtures.path("rdp.pcap")])
        let intact = try await cli.verify()
        #expect(intact.succeeded, "\(intact.summary)")

        let name = try FileManager.default.contentsOfDirectory(atPath: cli.store).sorted()
            .first { $0.hasPrefix("seg-") && $0.hasSuffix("." + damage.rawValue) }
        let file = try #require(name.map { cli.store + "/" + $0 }, "no segment \(damage.rawValue) file in the store")
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        // Data: inside the first block's payload (64-byte file header, 48-byte block header).
        // Index: inside the block table, after the 128-byte header and the section directory.
        let offset = damage == .data ? 64 + 48 + 100 : bytes.count - 20
        bytes[offset] ^= 0x5A
        try Data(bytes).write(to: URL(fileURLWithPath: file))

        let result = try await cli.verify()
        #expect(result.status == 1 && !result.signaled, "\(result.summary)")
        #expect(result.stderrText.split(separator: "\n").contains { $0.contains("error:") && $0.contains(file) },
                "the error must name \(file):\n\(result.stderrText)")
    }
}
