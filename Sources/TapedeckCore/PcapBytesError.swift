/// Why a pcap file held in memory cannot be read (``PcapBytesReader``). Every case says where:
/// the byte offset into the file and, for a record, its number from 1.
public enum PcapBytesError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Fewer than the 24 bytes of a pcap file header.
    case shortFileHeader(count: Int)
    /// The first four bytes are not a pcap magic number (microsecond `a1b2c3d4` or nanosecond
    /// `a1b23c4d`, in either byte order); pcapng (`0a0d0d0a`) is not accepted either.
    case badMagic(UInt32)
    /// Record `packet`'s 16-byte header starts at `offset` but the file ends after `available` bytes of it.
    case truncatedRecordHeader(packet: Int, offset: Int, available: Int)
    /// Record `packet` (header at `offset`) says it holds `captured` bytes, but only `available` follow.
    case truncatedPacket(packet: Int, offset: Int, captured: Int, available: Int)
    /// Record `packet` (header at `offset`) says it holds `captured` bytes, more than
    /// ``PcapBytesReader/maximumCapturedLength``: a damaged length rather than a packet.
    case oversizePacket(packet: Int, offset: Int, captured: Int)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case let .shortFileHeader(count):
            "\(count) bytes, shorter than a 24-byte pcap file header"
        case let .badMagic(magic):
            "magic number 0x\(String(magic, radix: 16)) is not a pcap file's (a1b2c3d4 or a1b23c4d, either byte order)"
        case let .truncatedRecordHeader(packet, offset, available):
            "packet \(packet): record header at byte \(offset) is cut off after \(available) of 16 bytes"
        case let .truncatedPacket(packet, offset, captured, available):
            "packet \(packet): record at byte \(offset) holds \(captured) captured bytes but only \(available) follow"
        case let .oversizePacket(packet, offset, captured):
            "packet \(packet): record at byte \(offset) claims \(captured) captured bytes, more than "
                + "\(PcapBytesReader.maximumCapturedLength)"
        }
    }
}
