import TapedeckCore

/// The well-formed hand-built packets as one pcapng file (one interface per link type), the
/// fixture `Tests/Fixtures/synthetic-encapsulations.pcapng` that tshark's golden file describes.
enum SyntheticCapture {
    static let fileName = "synthetic-encapsulations.pcapng"

    /// The packets' capture times: one millisecond apart from 2020-09-13T12:26:40Z.
    static func timestamp(_ index: Int) -> Timestamp {
        Timestamp(seconds: 1_600_000_000, nanoseconds: Int64(index) * 1_000_000 + 123)
    }

    /// The file's bytes as PcapngWriter writes them.
    static func bytes() throws -> [UInt8] {
        let writer = PcapngWriter(sink: MemorySink())
        for (index, sample) in SamplePackets.wellFormed.enumerated() {
            try sample.bytes.withUnsafeBytes { bytes in
                try writer.write(PacketRecord(timestamp: timestamp(index), originalLength: UInt32(bytes.count),
                                              linkType: sample.linkType, bytes: bytes))
            }
        }
        try writer.flush()
        return writer.sink.bytes
    }
}
