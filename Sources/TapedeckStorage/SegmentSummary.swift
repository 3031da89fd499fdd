import TapedeckCore

/// One sealed segment as the catalog lists it.
public struct SegmentSummary: Equatable, Sendable {
    /// The segment's sequence number; file names are derived from it.
    public var id: UInt64
    /// Earliest and latest packet time in the segment.
    public var earliest: Timestamp
    public var latest: Timestamp
    /// Packets stored.
    public var packets: UInt64
    /// Captured packet bytes (what a pcap of them would hold, without pcap headers).
    public var capturedBytes: UInt64
    /// Bytes the packets had on the wire.
    public var originalBytes: UInt64
    /// Size of the data file.
    public var dataBytes: UInt64
    /// Size of the index file.
    public var indexBytes: UInt64

    /// Bytes used on disk by the segment (data and index).
    public var storedBytes: UInt64 { dataBytes + indexBytes }

    /// Bytes one catalog entry takes.
    static let encodedWidth = 64

    func encode(into writer: inout LittleEndianWriter) {
        writer.append(id)
        writer.append(earliest.nanoseconds)
        writer.append(latest.nanoseconds)
        writer.append(packets)
        writer.append(capturedBytes)
        writer.append(originalBytes)
        writer.append(dataBytes)
        writer.append(indexBytes)
    }

    init(decoding source: UnsafeRawPointer) {
        id = source.loadLittleEndian(at: 0)
        earliest = Timestamp(nanoseconds: source.loadLittleEndian(at: 8))
        latest = Timestamp(nanoseconds: source.loadLittleEndian(at: 16))
        packets = source.loadLittleEndian(at: 24)
        capturedBytes = source.loadLittleEndian(at: 32)
        originalBytes = source.loadLittleEndian(at: 40)
        dataBytes = source.loadLittleEndian(at: 48)
        indexBytes = source.loadLittleEndian(at: 56)
    }

    init(id: UInt64, totals: SegmentTotals, dataBytes: UInt64, indexBytes: UInt64) {
        self.id = id
        earliest = Timestamp(nanoseconds: totals.packets == 0 ? 0 : totals.earliest)
        latest = Timestamp(nanoseconds: totals.packets == 0 ? 0 : totals.latest)
        packets = totals.packets
        capturedBytes = totals.capturedBytes
        originalBytes = totals.originalBytes
        self.dataBytes = dataBytes
        self.indexBytes = indexBytes
    }
}
