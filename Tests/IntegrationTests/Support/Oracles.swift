import Foundation

/// tcpdump as the oracle for which packets a query selects.
enum Tcpdump {
    /// What `tcpdump -r FILE -w - FILTER` produced.
    struct Output: Sendable {
        /// The packets tcpdump wrote (before an error, if any).
        var packets: [CapturedPacket]
        /// The process result (stderr holds tcpdump's error message, if any).
        var result: ProcessResult
        /// Whether tcpdump opened the input as a capture (it then writes at least a file header).
        var opened: Bool
    }

    /// The packets of `file` that `filter` selects, as `tcpdump --time-stamp-precision=nano -r FILE
    /// -w - FILTER` writes them (nanoseconds, so nothing is rounded away). tcpdump must read the
    /// whole file; a filter that libpcap proves false ("expression rejects all packets") selects
    /// nothing.
    static func filter(_ file: String, _ filter: String) async throws -> [CapturedPacket] {
        let output = try await read(file, filter)
        if !output.result.succeeded {
            if output.result.stderrText.contains("expression rejects all packets") { return [] }
            throw TestFailure(description: "the oracle failed: \(output.result.summary)")
        }
        return output.packets
    }

    /// Runs tcpdump on `file` and keeps whatever it wrote, also when it stops at damage.
    static func read(_ file: String, _ filter: String = "") async throws -> Output {
        let scratch = try TemporaryDirectory("tcpdump")
        let outputPath = scratch.path("out.pcap")
        var arguments = ["--time-stamp-precision=nano", "-r", file, "-w", "-"]
        if !filter.isEmpty { arguments.append(filter) }
        let result = try await ProcessRunner.run(try Tool.tcpdump(), arguments, stdoutPath: outputPath)
        let bytes = [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: outputPath))) ?? Data())
        guard !bytes.isEmpty else { return Output(packets: [], result: result, opened: false) }
        let capture: CaptureFile
        do {
            capture = try CaptureFile(bytes: bytes)
        } catch {
            throw TestFailure(description: "cannot parse what tcpdump wrote: \(error); \(result.summary)")
        }
        guard capture.damageOffset == nil else {
            throw TestFailure(description: "tcpdump wrote a damaged pcap (\(result.summary))")
        }
        return Output(packets: capture.packets, result: result, opened: true)
    }
}

/// tshark as the source of every conversation in a capture.
enum Tshark {
    /// A TCP or UDP conversation: two endpoints, as tshark lists them.
    struct Conversation: Hashable, Sendable, CustomStringConvertible {
        var transport: String
        var addressA: String
        var portA: Int
        var addressB: String
        var portB: Int

        var description: String { "\(transport) \(addressA):\(portA) <-> \(addressB):\(portB)" }
    }

    /// Every TCP and UDP conversation in `file` (`tshark -n -q -z conv,tcp -z conv,udp`).
    ///
    /// A row reads `A:portA <-> B:portB frames bytes …`; an IPv6 address contains colons, so the
    /// port is what follows the last one.
    static func conversations(_ file: String) async throws -> [Conversation] {
        let result = try await ProcessRunner.run(try Tool.tshark(), ["-n", "-r", file, "-q", "-z", "conv,tcp", "-z", "conv,udp"])
        guard result.succeeded else { throw TestFailure(description: "tshark failed: \(result.summary)") }
        var transport = ""
        var conversations: [Conversation] = []
        for line in result.stdoutText.split(separator: "\n") {
            if line.hasPrefix("TCP Conversations") { transport = "tcp" }
            if line.hasPrefix("UDP Conversations") { transport = "udp" }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 3, fields[1] == "<->" else { continue }
            guard !transport.isEmpty, let a = endpoint(fields[0]), let b = endpoint(fields[2]) else {
                throw TestFailure(description: "cannot parse tshark's conversation line '\(line)'")
            }
            conversations.append(Conversation(transport: transport, addressA: a.0, portA: a.1, addressB: b.0, portB: b.1))
        }
        return conversations
    }

    private static func endpoint(_ text: Substring) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        return (String(text[..<colon]), port)
    }

    /// The number of packets tshark reads from `file` (it must open it without error).
    static func packetCount(_ file: String) async throws -> Int {
        let result = try await ProcessRunner.run(try Tool.tshark(), ["-n", "-r", file, "-T", "fields", "-e", "frame.number"])
        guard result.succeeded else { throw TestFailure(description: "tshark cannot read \(file): \(result.summary)") }
        return result.stdoutText.split(separator: "\n").count
    }
}

/// capinfos, which must open every file Tapedeck writes.
enum Capinfos {
    /// The packet count capinfos reports (`capinfos -M -c`).
    static func packetCount(_ file: String) async throws -> Int {
        let result = try await ProcessRunner.run(try Tool.capinfos(), ["-M", "-c", file])
        guard result.succeeded else { throw TestFailure(description: "capinfos cannot read \(file): \(result.summary)") }
        for line in result.stdoutText.split(separator: "\n") where line.hasPrefix("Number of packets:") {
            if let count = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) { return count }
        }
        throw TestFailure(description: "no packet count in capinfos output:\n\(result.stdoutText)")
    }
}
