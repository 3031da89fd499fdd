import Foundation
import Testing

/// Importing damaged, fuzzed, foreign and missing files: no crash; exit status 0 when tcpdump
/// reads the whole file, 1 with a message naming the file, the packet number and the byte
/// offset when it stops at damage, 1 with "cannot open" when it is no capture at all; the store
/// then holds exactly what tcpdump reads before its error, verifies, and takes further imports.
@Suite("Malformed captures")
struct MalformedCaptureTests {
    /// An input: a fixture, or one made in the test.
    enum Input: Sendable, CustomTestStringConvertible {
        /// A file of `Tests/Fixtures`.
        case fixture(String)
        /// The first `bytes` bytes of a fixture (cut inside a record).
        case truncated(String, bytes: Int)
        /// A text file.
        case garbage
        /// A path where no file is.
        case missing

        var testDescription: String {
            switch self {
            case .fixture(let name): name
            case .truncated(let name, let bytes): "\(name) cut at \(bytes) bytes"
            case .garbage: "a text file"
            case .missing: "a missing file"
            }
        }

        /// Makes the input (if needed) and returns its path.
        func path(in scratch: TemporaryDirectory) throws -> String {
            switch self {
            case .fixture(let name):
                return Fixtures.path(name)
            case .truncated(let name, let count):
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(name))))
                return try scratch.write("cut-" + (name as NSString).lastPathComponent, Array(bytes.prefix(count)))
            case .garbage:
                return try scratch.write("notes.pcap", Array("This is not a capture file.\nJust some text.\n".utf8))
            case .missing:
                return scratch.path("no-such-file.pcap")
            }
        }
    }

    /// The files of `Tests/Fixtures/malformed` (``malformedFixturesArePresent`` fails if there are none).
    static let malformed = (try? Fixtures.files(in: "malformed")) ?? []

    static let inputs: [Input] = malformed.map { .fixture("malformed/" + $0) } + [
        .fixture("mixed-linktypes.pcapng"),            // libpcap refuses the second link type at packet 1
        .fixture("synthetic-encapsulations.pcapng"),   // … and at packet 17
        .truncated("KakaoTalk_talk.pcap", bytes: 20_600),  // inside record 101 (which starts at 20543)
        .truncated("KakaoTalk_talk.pcap", bytes: 30),      // inside the first record header
        .truncated("1kxun.pcap", bytes: 100_000),          // inside a pcapng block
        .garbage,
        .missing,
    ]

    @Test(arguments: inputs)
    func importKeepsWhatTcpdumpReads(_ input: Input) async throws {
        let scratch = try TemporaryDirectory("malformed")
        let path = try input.path(in: scratch)
        let cli = try TapedeckCLI(in: scratch)
        let oracle = try await Tcpdump.read(path)
        let result = try await cli.importFiles([path])
        let stderr = result.stderrText
        #expect(!result.signaled, "tapedeck import crashed: \(result.summary)")

        if oracle.result.succeeded {
            // tcpdump reads the whole file: so must the import.
            #expect(result.status == 0, "tcpdump reads \(input.testDescription) whole; \(result.summary)")
            #expect(!stderr.contains("error"), "\(stderr)")
        } else if !oracle.opened {
            #expect(result.status == 1, "\(result.summary)")
            #expect(stderr.contains("cannot open \(path)"), "the message must say the file cannot be opened: \(stderr)")
        } else {
            // Damaged: the message names the file, the first unreadable packet and where it starts.
            let capture = try CaptureFile(path: path)
            let readable = oracle.packets.count
            // Where the first unreadable record starts: after the last good packet's record or
            // block, or, with none, after the file header (pcap) or the first interface (pcapng).
            let ends = readable == 0 ? (capture.format == .pcapng ? capture.interfaceEnds : [capture.headerEnd])
                                     : Array(capture.packetEnds.dropFirst(readable - 1))
            guard let offset = ends.first else {
                Issue.record("the test's reader finds only \(capture.packets.count) packets in \(path), tcpdump \(readable)")
                return
            }
            #expect(result.status == 1, "\(result.summary)")
            let line = stderr.split(separator: "\n").first { $0.contains("error:") }.map(String.init) ?? ""
            #expect(line.contains(path), "the error must name the file: \(stderr)")
            #expect(line.containsNumber(readable + 1, after: "packet "), "the error must name packet \(readable + 1): \(stderr)")
            #expect(line.containsNumber(offset, after: "byte offset "), "the error must give byte offset \(offset): \(stderr)")
        }

        // The store holds exactly what tcpdump read, in time order (from 1970 on: the export query).
        let expected = PacketComparison.timeOrdered(oracle.packets.filter { $0.time >= 0 })
        let stored = try await cli.exportAll()
        if let difference = PacketComparison.difference(expected: expected, actual: stored) {
            Issue.record("\(input.testDescription): store vs tcpdump: \(difference)")
        }
        let verify = try await cli.verify()
        #expect(verify.succeeded, "inspect --verify after importing \(input.testDescription): \(verify.summary)")

        // A good file imported afterwards lands beside what is there; nothing is lost.
        try await cli.importSucceeding([Fixtures.path("rdp.pcap")])
        let both = PacketComparison.timeOrdered(oracle.packets.filter { $0.time >= 0 } + (try CaptureFile(path: Fixtures.path("rdp.pcap")).packets))
        if let difference = PacketComparison.difference(expected: both, actual: try await cli.exportAll()) {
            Issue.record("\(input.testDescription), then rdp.pcap: \(difference)")
        }
        let verifyAgain = try await cli.verify()
        #expect(verifyAgain.succeeded, "\(verifyAgain.summary)")
    }

    /// One import of several files, a damaged one and a missing one among them: every readable
    /// packet of every file is stored, each problem is reported, and the exit status is 1.
    @Test func damagedFilesAmongOthers() async throws {
        let scratch = try TemporaryDirectory("several")
        let cut = try Input.truncated("KakaoTalk_talk.pcap", bytes: 20_600).path(in: scratch)
        let missing = try Input.missing.path(in: scratch)
        let files = [Fixtures.path("rdp.pcap"), cut, missing, Fixtures.path("1kxun.pcap")]
        let cli = try TapedeckCLI(in: scratch)
        let result = try await cli.importFiles(files)
        #expect(result.status == 1, "\(result.summary)")
        let errors = result.stderrText.split(separator: "\n").map(String.init).filter { $0.contains("error:") }
        #expect(errors.count == 2, "one error per bad file expected:\n\(result.stderrText)")
        #expect(errors.contains { $0.contains(cut) && $0.containsNumber(101, after: "packet ") && $0.containsNumber(20_543, after: "byte offset ") })
        #expect(errors.contains { $0.contains("cannot open \(missing)") })

        var expected: [CapturedPacket] = []
        for file in files where file != missing {
            expected += try await Tcpdump.read(file).packets
        }
        if let difference = PacketComparison.difference(expected: PacketComparison.timeOrdered(expected), actual: try await cli.exportAll()) {
            Issue.record("store after importing \(files.count) files: \(difference)")
        }
        let verify = try await cli.verify()
        #expect(verify.succeeded, "\(verify.summary)")
    }

    /// The fuzzed files are all there, and the one damaged at the file level is reported where
    /// tcpdump/libpcap stop: 1 packet, then a record header cut after 2 of its 16 bytes at 237.
    @Test func malformedFixturesArePresent() async throws {
        #expect(Self.malformed.count == 8, "Tests/Fixtures/malformed holds \(Self.malformed)")
        let scratch = try TemporaryDirectory("fuzz")
        let cli = try TapedeckCLI(in: scratch)
        let path = Fixtures.path("malformed/fuzz-2021-10-13.pcap")
        let result = try await cli.importFiles([path])
        #expect(result.status == 1)
        #expect(result.stderrText.contains("\(path): cannot read packet 2 at byte offset 237"), "\(result.stderrText)")
        #expect(try await cli.exportAll().count == 1)
    }
}

extension String {
    /// Whether the text has `prefix` immediately followed by `number` and then a non-digit
    /// (so that "packet 1" does not match "packet 17").
    func containsNumber(_ number: Int, after prefix: String) -> Bool {
        var rest = self[...]
        while let range = rest.range(of: prefix + String(number)) {
            rest = rest[range.upperBound...]
            if rest.first.map({ !$0.isNumber }) ?? true { return true }
        }
        return false
    }
}
