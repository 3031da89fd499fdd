import Foundation
import Testing

/// SIGKILL in the middle of a large import: the store stays readable, the next writer recovers
/// it, and it then holds a prefix of the input — nothing torn, nothing invented.
@Suite("Kill -9 during import")
struct KillDuringImportTests {
    /// Sealed segments to wait for before the kill: well into the input (one copy of the fixture
    /// fills about 1.3 segments) and far from its end (~137 segments).
    static let sealedSegmentsBeforeKill = 10

    @Test func storeRecoversToAPrefixOfTheInput() async throws {
        let scratch = try TemporaryDirectory("kill")
        // ~50 MB: 105 copies of KakaoTalk_talk.pcap (76 s each), 80 s apart, so time keeps
        // increasing and a segment is sealed about every 60 s of packet time. Written by the
        // test's own pcap writer (the same as `editcap -t` + `mergecap -a`, without 105 processes).
        let (input, packets) = try DerivedCaptures.repeated("KakaoTalk_talk.pcap", copies: 105, spacing: 80_000_000_000, into: scratch)
        #expect(PacketComparison.isTimeOrdered(packets))
        let cli = try TapedeckCLI(in: scratch)

        // The importer reads the input from a FIFO that the test feeds only the first 60% of and
        // keeps open: it cannot finish, so the kill lands mid-import whatever the machine's speed.
        let fifo = scratch.path + "/input.fifo"
        try #require(mkfifo(fifo, 0o600) == 0, "mkfifo: \(String(cString: strerror(errno)))")
        let feed = open(fifo, O_RDWR)  // a writer end that does not wait for the reader
        try #require(feed >= 0, "open fifo: \(String(cString: strerror(errno)))")
        defer { close(feed) }
        let importer = try RunningProcess(cli.executable, ["import", "--store", cli.store, "--no-progress", "-"], stdinPath: fifo)
        let inputBytes = try Data(contentsOf: URL(fileURLWithPath: input))
        let fed = inputBytes.prefix(inputBytes.count * 6 / 10)
        let fedAll = await withCheckedContinuation { (done: CheckedContinuation<Bool, Never>) in
            // write(2) blocks while the pipe is full, so feed from a thread of its own.
            Thread {
                let complete = fed.withUnsafeBytes { raw -> Bool in
                    var offset = 0
                    while offset < raw.count {
                        let written = write(feed, raw.baseAddress! + offset, raw.count - offset)
                        if written <= 0 { return false }
                        offset += written
                    }
                    return true
                }
                done.resume(returning: complete)
            }.start()
        }
        try #require(fedAll, "could not feed the importer: \(String(cString: strerror(errno)))")
        // Everything fed is in the pipe or read; wait (with a deadline) for the sealed segments.
        let deadline = Date().addingTimeInterval(120)
        var sealedAtKill = 0
        while !importer.hasEnded, Date() < deadline {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: cli.store)) ?? []
            sealedAtKill = names.filter { $0.hasPrefix("seg-") && $0.hasSuffix(".data") }.count
            if sealedAtKill >= Self.sealedSegmentsBeforeKill {
                importer.kill(SIGKILL)
                break
            }
            try await Task.sleep(nanoseconds: 1_000_000)
        }
        let killed = await importer.wait()
        try #require(killed.signaled && killed.status == SIGKILL,
                     "the import was not killed mid-way (it ended first, or the store never got \(Self.sealedSegmentsBeforeKill) sealed segments): \(killed.summary)")
        let left = try FileManager.default.contentsOfDirectory(atPath: cli.store).sorted()
        let active = left.filter { $0.hasSuffix(".active") }
        // Make the tail torn for sure, as a crash inside a write leaves it: half a block (a block
        // magic, a wrong CRC, then garbage) after the last complete block of the active segment.
        for name in active {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: cli.store + "/" + name))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(Array("TDBK".utf8) + [UInt8](repeating: 0xA5, count: 60)))
            try handle.close()
        }

        // A reader does not repair, but it can read what is there: only input packets, in time order.
        let before = try await cli.exportAll()
        let inputKeys = Set(packets.map { PacketKey($0) })
        #expect(before.allSatisfy { inputKeys.contains(PacketKey($0)) }, "a query before recovery returned packets that were never imported")
        #expect(PacketComparison.isTimeOrdered(before))

        // The next import recovers the store (torn tail cut, active segment sealed) and adds its file.
        let rdp = try CaptureFile(path: Fixtures.path("rdp.pcap")).packets
        let recovery = try await cli.importFiles(["--verbose", Fixtures.path("rdp.pcap")])
        #expect(recovery.succeeded, "import after the kill: \(recovery.summary)")
        let verify = try await cli.verify()
        #expect(verify.succeeded, "inspect --verify after recovery: \(verify.summary)")
        let after = try FileManager.default.contentsOfDirectory(atPath: cli.store)
        #expect(after.allSatisfy { !$0.hasSuffix(".active") && !$0.hasSuffix(".tmp") }, "left after recovery: \(after.sorted())")

        let exported = try await cli.exportAll()
        let kept = exported.filter { $0.linkType == 113 }
        #expect(kept.count >= before.count, "recovery lost packets a reader could see: \(before.count) before, \(kept.count) after")
        #expect(kept.count > 0 && kept.count < packets.count, "\(kept.count) of \(packets.count) packets kept")
        if let difference = PacketComparison.difference(expected: Array(packets.prefix(kept.count)), actual: kept) {
            let members = kept.filter { inputKeys.contains(PacketKey($0)) }.count
            Issue.record("the recovered store is not a prefix of the input (\(members) of \(kept.count) are input packets): \(difference)")
        }
        if let difference = PacketComparison.difference(expected: rdp, actual: exported.filter { $0.linkType == 0 }) {
            Issue.record("the import after recovery: \(difference)")
        }
        print("kill -9: killed with \(sealedAtKill) sealed segments and \(active) active; a reader saw \(before.count) packets; "
            + "\(kept.count) of \(packets.count) kept after recovery")
    }
}
