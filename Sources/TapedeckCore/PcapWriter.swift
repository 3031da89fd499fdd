/// Writes a classic pcap file (little-endian, version 2.4) to a ``ByteSink``.
///
/// The 24-byte file header is produced on creation; each record is a 16-byte header (seconds,
/// sub-second units, captured and original length) and the captured bytes. Output collects in an
/// internal buffer and reaches the sink when the buffer fills and on ``flush()``; call `flush()`
/// when done, or nothing may have been written. After an error from the sink the output is
/// incomplete and the writer should be discarded.
///
/// Timestamps follow ``TimestampPrecision``'s conversion rules (floor; clamped to 1970…2106).
public final class PcapWriter<Sink: ByteSink> {
    /// The link type in the file header; every record must have it.
    public let linkType: LinkType
    /// The timestamp resolution (and so the magic number) of the file.
    public let precision: TimestampPrecision
    /// The snap length in the file header; longer records are cut to it.
    public let snapLength: UInt32
    /// Number of records written (buffered or flushed).
    public private(set) var packetsWritten = 0
    private let output: BufferedOutput<Sink>

    /// Creates a writer and buffers the file header.
    /// - Parameters:
    ///   - sink: Where the file's bytes go.
    ///   - linkType: The link type of every record.
    ///   - precision: Nanosecond (magic 0xa1b23c4d, the default) or microsecond (0xa1b2c3d4) times.
    ///   - snapLength: Written in the header; records with more captured bytes are cut to it.
    ///   - bufferCapacity: Bytes collected before they are written to the sink (default 64 KiB).
    public init(sink: Sink, linkType: LinkType, precision: TimestampPrecision = .nanoseconds,
                snapLength: UInt32 = 262_144, bufferCapacity: Int = 64 * 1024) {
        self.linkType = linkType
        self.precision = precision
        self.snapLength = snapLength
        output = BufferedOutput(sink: sink, capacity: bufferCapacity)
        PcapFileHeader(linkType: linkType, precision: precision, snapLength: snapLength)
            .store(to: output.reserveFileHeader(PcapFileHeader.size))
        output.commit(PcapFileHeader.size)
    }

    /// The sink; it holds everything written up to the last flush.
    public var sink: Sink { output.sink }

    /// Bytes of the file produced so far, headers included, flushed or still buffered.
    public var bytesWritten: Int { output.byteCount }

    /// Appends one record. The captured bytes are cut to ``snapLength``; the original length
    /// written is at least the captured length.
    /// - Throws: ``PcapWriterError/linkTypeMismatch(file:record:)`` if `record.linkType` is not
    ///   ``linkType`` (nothing is written), or the sink's error when the buffer is flushed.
    public func write(_ record: PacketRecord) throws {
        guard record.linkType == linkType else {
            throw PcapWriterError.linkTypeMismatch(file: linkType, record: record.linkType)
        }
        let capturedLength = min(record.bytes.count, Int(snapLength))
        let time = precision.pcapTime(record.timestamp)
        let header = try output.reserve(16)
        header.storeLittleEndian(time.seconds, at: 0)
        header.storeLittleEndian(time.fraction, at: 4)
        header.storeLittleEndian(UInt32(capturedLength), at: 8)
        header.storeLittleEndian(max(record.originalLength, UInt32(capturedLength)), at: 12)
        output.commit(16)
        try output.append(UnsafeRawBufferPointer(rebasing: record.bytes.prefix(capturedLength)))
        packetsWritten &+= 1
    }

    /// Writes everything buffered to the sink.
    public func flush() throws {
        try output.flush()
    }
}
