import TapedeckCore
import TapedeckQuery
import TapedeckStorage

/// Carves the pcap of one query out of the store into memory: the packets
/// ``QueryExecutor`` streams, written as pcap (pcapng when they span link types).
enum EvidenceCarver {
    /// A carved capture file.
    struct Carving {
        /// The file's bytes.
        var bytes: [UInt8]
        /// Packets in it.
        var packets: Int
        /// Whether `maxBytes` cut it short.
        var truncated: Bool
    }

    /// Runs `expression` against `store`; at most `maxBytes` of packet records.
    static func carve(_ expression: QueryExpression, store: StoreReader, maxBytes: Int) throws -> Carving {
        let executor = try QueryExecutor(store: store, expression: expression)
        let sink = CollectingSink()
        let limits = QueryLimits(maxBytes: maxBytes)
        let statistics: QueryStatistics
        if executor.linkTypes.count > 1 {
            let writer = PcapngWriter(sink: sink)
            statistics = try executor.run(limits: limits) { try writer.write($0) }
            try writer.flush()
        } else {
            let writer = PcapWriter(sink: sink, linkType: executor.linkTypes.first ?? .ethernet)
            statistics = try executor.run(limits: limits) { try writer.write($0) }
            try writer.flush()
        }
        return Carving(bytes: sink.bytes, packets: statistics.packetsMatched, truncated: statistics.limitReached)
    }
}

/// A ``ByteSink`` that keeps what is written, readable after the writer that owns it is done.
private final class CollectingSink: ByteSink {
    var bytes: [UInt8] = []

    func write(_ buffer: UnsafeRawBufferPointer) throws {
        bytes.append(contentsOf: buffer)
    }
}
