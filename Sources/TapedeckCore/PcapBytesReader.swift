/// Reads a classic pcap file that is already in memory (a Kafka message value, a buffer), without
/// copying its packets: each ``PacketRecord`` it returns points into the file's bytes.
///
/// ## Formats
/// Microsecond (`a1b2c3d4`) and nanosecond (`a1b23c4d`) magic numbers, written little- or
/// big-endian; any link type, taken from the file header. pcapng is not read (libpcap's file
/// reader in `TapedeckCapture` does that, from files).
///
/// ## Validation first
/// ``init(validating:)`` walks every record header before any packet is returned, so a file is
/// either read whole or refused whole with a ``PcapBytesError`` that says where it is damaged:
/// a consumer never replays half of a damaged file. A record whose captured length is larger
/// than ``maximumCapturedLength`` is refused as damage.
///
/// ## Borrowing
/// The reader keeps offsets, not pointers: every ``next(in:)`` call passes the same bytes that
/// were validated, and the record it returns is valid as long as those bytes are.
public struct PcapBytesReader: Sendable {
    /// The largest captured length a record may have: 1 MiB, the most Tapedeck stores.
    public static let maximumCapturedLength = 1 << 20

    /// The link type of every record, from the file header.
    public let linkType: LinkType
    /// The timestamp resolution the magic number says.
    public let precision: TimestampPrecision
    /// The number of records in the file.
    public let packetCount: Int
    /// The size of the file that was validated.
    public let byteCount: Int
    /// Whether the file was written big-endian (its fields are byte-swapped on reading).
    public let isBigEndian: Bool

    private var offset = 24
    private var packetNumber = 0

    /// Records ``next(in:)`` has not returned yet.
    public var packetsLeft: Int { packetCount - packetNumber }

    /// Reads the file header of the pcap file in `bytes` and checks every record header against
    /// the bytes there are.
    ///
    /// - Throws: ``PcapBytesError`` for a short header, an unknown magic number, or the first
    ///   record that is cut off or claims an impossible length.
    public init(validating bytes: UnsafeRawBufferPointer) throws(PcapBytesError) {
        guard bytes.count >= 24 else { throw .shortFileHeader(count: bytes.count) }
        let magic = bytes.loadUnaligned(as: UInt32.self).littleEndian
        switch magic {
        case 0xA1B2_C3D4: (precision, isBigEndian) = (.microseconds, false)
        case 0xA1B2_3C4D: (precision, isBigEndian) = (.nanoseconds, false)
        case 0xD4C3_B2A1: (precision, isBigEndian) = (.microseconds, true)
        case 0x4D3C_B2A1: (precision, isBigEndian) = (.nanoseconds, true)
        default: throw .badMagic(magic)
        }
        let bigEndian = isBigEndian
        linkType = LinkType(rawValue: Self.field(bytes, 20, bigEndian) & 0x03FF_FFFF)
        var offset = 24
        var count = 0
        while offset < bytes.count {
            count += 1
            let available = bytes.count - offset
            guard available >= 16 else { throw .truncatedRecordHeader(packet: count, offset: offset, available: available) }
            let captured = Int(Self.field(bytes, offset + 8, bigEndian))
            guard captured <= Self.maximumCapturedLength else {
                throw .oversizePacket(packet: count, offset: offset, captured: captured)
            }
            guard captured <= available - 16 else {
                throw .truncatedPacket(packet: count, offset: offset, captured: captured, available: available - 16)
            }
            offset += 16 + captured
        }
        packetCount = count
        byteCount = bytes.count
    }

    /// The next record, pointing into `bytes` (the bytes given to ``init(validating:)``), or `nil`
    /// after the last one. The original length is at least the captured length, as libpcap reports it.
    @inline(__always)
    public mutating func next(in bytes: UnsafeRawBufferPointer) -> PacketRecord? {
        precondition(bytes.count == byteCount, "PcapBytesReader.next(in:) needs the bytes it validated")
        guard packetNumber < packetCount else { return nil }
        packetNumber += 1
        let seconds = Int64(Self.field(bytes, offset, isBigEndian))
        let fraction = Int64(Self.field(bytes, offset + 4, isBigEndian))
        let captured = Int(Self.field(bytes, offset + 8, isBigEndian))
        let original = Self.field(bytes, offset + 12, isBigEndian)
        let start = offset + 16
        offset = start + captured
        let nanoseconds = precision == .nanoseconds ? fraction : fraction &* 1_000
        return PacketRecord(timestamp: Timestamp(nanoseconds: seconds &* 1_000_000_000 &+ nanoseconds),
                            originalLength: max(original, UInt32(captured)), linkType: linkType,
                            bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]))
    }

    @inline(__always)
    private static func field(_ bytes: UnsafeRawBufferPointer, _ offset: Int, _ bigEndian: Bool) -> UInt32 {
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        return bigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
    }
}
