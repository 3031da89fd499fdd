import Foundation
import Testing

/// SIGKILL in the middle of a large import: the store stays readable, the next writer recovers
/// it, and it then holds a prefix of the input — nothing torn, nothing invented.
@Suite("Kill -9 during import")
struct KillDuringImportTests {
    /// Sealed segments to wait for before the kill (with an active segment holding data): well
    /// into the input (one copy of the fixture fills about 1.3 segments) and far from its end
    /// (~137 segments).
    static let sealedSegmentsBeforeKill = 10

    @Test func storeRecoversToAPrefixOfTheInput() async throws {
        let scratch = try TemporaryDirectory("kill")
        // ~50 MB: 105 copies of KakaoTalk_talk.pcap (76 s each), 80 s apart, so time keeps
        // increasing and a segment is sealed about every 60 s of packet time. Written by the
        // test's own pcap writer (the same as `editcap -t` + `mergecap -a`, without 105 processes).
        let (input, packets) = try DerivedCaptures.repeated("KakaoTalk_talk.pcap", copies: 105, spacing: 80_000_000_000, into: scratch)
        #expect(PacketComparison.isTimeOrdered(packets))
        let cli = try TapedeckCLI(in: scratch)

        let importer = try RunningProcess(cli.executable, ["import", "--store", cli.store, "--no-progress", input])
        // Poll the store directory (a condition with a deadline, not a fixed sleep).
        let deadline = Date().addingTimeInterval(120)
        var sealedAtKill = 0
        while !importer.hasEnded, Date() < deadline {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: cli.store)) ?? []
            sealedAtKill = names.filter { $0.hasPrefix("seg-") && $0.hasSuffix(".data") }.count
            // Kill while a segment is being recorded: its data file holds at least one block.
            let recording = names.filter { $0.hasSuffix(".active") }.contains { name in
                let size = (try? FileManager.default.attributesOfItem(atPath: cli.store + "/" + name)[.size] as? Int) ?? 0
                return size > 64 + 48
            }
            if sealedAtKill >= Self.sealedSegmentsBeforeKill, recording {
                importer.kill(SIGKILL)
                break
            }
            try await Task.sleep(nanoseconds: 1_000_000)
        }
        let killed = await importer.wait()
        try #require(killed.signaled && killed.status == SIGKILL,
                     "the import was not killed mid-way (it ended first, or the store never got \(Self.sealedSegmentsBeforeKill) sealed segments and an active one with data): \(killed.summary)")
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

    /// A packet's identity (time, length, bytes) for membership tests.
    struct PacketKey: Hashable {
        var time: Int64
        var originalLength: UInt32
        var data: [UInt8]
        init(_ packet: CapturedPacket) {
            time = packet.time
            originalLength = packet.originalLength
            data = packet.data
        }
    }
}
