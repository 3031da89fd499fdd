import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What one `tapedeck replay` inside a namespace did, and what tcpdump captured on the other end.
struct ReplayRun {
    /// The replayer's exit status and output (the summary is on standard error).
    var replay: ProcessResult
    /// The frames tcpdump wrote, in order, with its receive time stamps (nanoseconds).
    var captured: [CapturedPacket]

    /// The number after `label:` in the replayer's summary (`Successful packets`, …).
    func summaryCount(_ label: String) -> Int? {
        let text = replay.stderrText
        guard let range = text.range(of: "\(label):") else { return nil }
        return Int(text[range.upperBound...].drop { $0 == " " }.prefix { $0.isNumber })
    }
}

/// Rates measured on a capture's own time stamps, independent of the replayer's summary.
enum CapturedRate {
    /// Seconds from the first packet to the last.
    static func span(_ packets: [CapturedPacket]) -> Double {
        guard let first = packets.first, let last = packets.last else { return 0 }
        return Double(last.time - first.time) / 1e9
    }

    /// Packets per second: the gaps between the first and the last packet, over their time.
    static func packetsPerSecond(_ packets: [CapturedPacket]) -> Double {
        Double(packets.count - 1) / span(packets)
    }

    /// Megabits per second, counting captured bytes as tcpreplay does: every packet but the last
    /// has had its bits' time by the time the last one arrives.
    static func megabitsPerSecond(_ packets: [CapturedPacket]) -> Double {
        Double(packets.dropLast().reduce(0) { $0 + $1.data.count }) * 8 / span(packets) / 1e6
    }

    /// `value` as a signed percentage away from `target`.
    static func deviation(_ value: Double, from target: Double) -> Double {
        (value - target) / target * 100
    }
}

/// Which end of the veth pair `tapedeck replay` sends from; tcpdump captures on the other.
enum ReplaySide {
    /// From ``NetworkNamespace/replayInterface``, inside the namespace (the default).
    case inside
    /// From ``NetworkNamespace/captureInterface``, in the test's own namespace, where the
    /// loopback Kafka broker is reachable.
    case outside
}

extension NetworkNamespace {
    /// Starts `tcpdump -c count` on the other end from `side` (nanosecond time stamps, a 32 MiB ring:
    /// not immediate mode, whose TPACKET_V2 ring of 256 KiB frames holds a handful of packets and
    /// drops at 20 000 packets/s), waits until it is listening, runs `tapedeck replay -i <interface> --no-progress
    /// ARGUMENTS` on `side`, and waits for tcpdump to have written its `count`
    /// packets. `-c` makes tcpdump exit by itself, since a child of the test runner inherits its
    /// blocked SIGINT and SIGTERM; if the packets do not all come within `timeout` seconds of the
    /// replay's end, tcpdump is killed and the test fails with what it got.
    func replayCapturing(_ count: Int, _ arguments: [String], timeout: Double = 20, from side: ReplaySide = .inside) async throws -> ReplayRun {
        let scratch = try TemporaryDirectory("replay")
        let output = scratch.path("captured.pcap")
        let tcpdump = try await startListeningTcpdump(["-c", String(count), "-w", output], on: side == .inside ? .outside : .inside)
        let replay = try await replayOnly(arguments, from: side)
        let deadline = Date().addingTimeInterval(timeout)
        while !tcpdump.hasEnded, Date() < deadline {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        let timedOut = !tcpdump.hasEnded
        if timedOut { tcpdump.kill(SIGKILL) }
        let dump = await tcpdump.wait()
        let captured = (try? CaptureFile(path: output).packets) ?? []
        if timedOut || !dump.succeeded {
            throw TestFailure(description: "tcpdump captured \(captured.count) of \(count) packets"
                + "\(timedOut ? " in \(timeout) s" : ""): \(dump.summary)\nreplay: \(replay.summary)")
        }
        return ReplayRun(replay: replay, captured: captured)
    }

    /// Runs `tapedeck replay -i <interface> --no-progress ARGUMENTS` on `side`.
    func replayOnly(_ arguments: [String], from side: ReplaySide = .inside) async throws -> ProcessResult {
        try await startReplay(arguments, from: side).wait()
    }

    /// Starts `tapedeck replay -i <interface> --no-progress ARGUMENTS` on `side` (inside the
    /// namespace, `ip netns exec` runs it in its own process, so the process is tapedeck's).
    func startReplay(_ arguments: [String], from side: ReplaySide = .inside) throws -> RunningProcess {
        switch side {
        case .inside:
            try RunningProcess(try Tool.find("ip", package: "iproute2"),
                               ["netns", "exec", name, try Tool.tapedeck(), "replay", "-i", replayInterface, "--no-progress"] + arguments)
        case .outside:
            try RunningProcess(try Tool.tapedeck(), ["replay", "-i", captureInterface, "--no-progress"] + arguments)
        }
    }

    /// ``startTcpdump(_:on:)``, then waits (up to 10 s) until tcpdump says it is listening.
    func startListeningTcpdump(_ arguments: [String], on side: ReplaySide) async throws -> RunningProcess {
        let tcpdump = try startTcpdump(arguments, on: side)
        let listening = Date().addingTimeInterval(10)
        while !tcpdump.standardErrorSoFar.contains("listening on") {
            if tcpdump.hasEnded || Date() > listening {
                tcpdump.kill(SIGKILL)
                throw TestFailure(description: "tcpdump did not start listening: \(await tcpdump.wait().summary)")
            }
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        return tcpdump
    }

    /// Starts tcpdump with `arguments` (plus nanosecond time stamps, a 32 MiB buffer, no name
    /// lookups) on the interface of `side`.
    func startTcpdump(_ arguments: [String], on side: ReplaySide) throws -> RunningProcess {
        let options = arguments + ["--time-stamp-precision", "nano", "-B", "32768", "-n"]
        switch side {
        case .inside:
            return try RunningProcess(try Tool.find("ip", package: "iproute2"),
                                      ["netns", "exec", name, try Tool.tcpdump(), "-i", replayInterface] + options)
        case .outside:
            return try RunningProcess(try Tool.tcpdump(), ["-i", captureInterface] + options)
        }
    }
}
