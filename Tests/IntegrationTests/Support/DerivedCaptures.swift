import Foundation

/// Captures the tests build from the fixtures, for what the fixtures lack.
enum DerivedCaptures {
    /// Fixture `name`'s packets out of time order, written to `directory` as a microsecond pcap:
    /// every run of 7 packets is reversed, and in every run the 3rd packet takes the 2nd one's
    /// time, so that equal times test the stability of Tapedeck's ordering too.
    ///
    /// Deterministic; the fixture must be a single-link-type capture.
    static func shuffled(_ name: String, into directory: TemporaryDirectory) throws -> String {
        let capture = try CaptureFile(path: Fixtures.path(name))
        var packets: [CapturedPacket] = []
        var start = 0
        while start < capture.packets.count {
            var run = Array(capture.packets[start ..< min(start + 7, capture.packets.count)])
            if run.count >= 3 { run[2].time = run[1].time }
            packets += run.reversed()
            start += 7
        }
        return try directory.write("shuffled-" + name, PcapWriter.file(packets, linkType: capture.linkTypes[0]))
    }

    /// `copies` back-to-back copies of fixture `name` as one microsecond pcap in `directory`,
    /// copy `i` shifted by `i × spacing` nanoseconds so that time keeps increasing.
    static func repeated(_ name: String, copies: Int, spacing: Int64, into directory: TemporaryDirectory) throws
        -> (path: String, packets: [CapturedPacket]) {
        let capture = try CaptureFile(path: Fixtures.path(name))
        var packets: [CapturedPacket] = []
        packets.reserveCapacity(capture.packets.count * copies)
        for copy in 0..<copies {
            for var packet in capture.packets {
                packet.time += Int64(copy) * spacing
                packets.append(packet)
            }
        }
        let path = try directory.write("repeated-" + name, PcapWriter.file(packets, linkType: capture.linkTypes[0]))
        return (path, packets)
    }

    /// Fixture `name` with every time shifted by `seconds` (which may have a fraction), written
    /// by `editcap -F pcap -t`.
    static func shifted(_ name: String, bySeconds seconds: String, into directory: TemporaryDirectory) async throws -> String {
        let output = directory.path("shifted-" + name)
        let result = try await ProcessRunner.run(try Tool.editcap(), ["-F", "pcap", "-t", seconds, Fixtures.path(name), output])
        guard result.succeeded else { throw TestFailure(description: "editcap failed: \(result.summary)") }
        return output
    }
}
