/// The 48-byte header in front of every block of a segment data file (see Storage/FORMAT.md).
///
/// ```
/// offset size field
///  0     4    magic "TDBK"
///  4     4    CRC-32C of bytes 8..<48 of this header followed by the stored payload
///  8     1    codec: 0 = stored as is, 1 = LZ4 block
///  9     3    reserved, zero
/// 12     4    link type (LINKTYPE_*)
/// 16     4    packet count
/// 20     4    payload length before compression
/// 24     4    stored payload length
/// 28     4    reserved, zero
/// 32     8    earliest packet timestamp (ns since epoch)
/// 40     8    latest packet timestamp (ns since epoch)
/// ```
struct BlockHeader: Equatable, Sendable {
    static let size = 48
    static let magic: UInt32 = 0x4B42_4454  // "TDBK" little-endian

    enum Codec: UInt8 {
        case stored = 0
        case lz4 = 1
    }

    var codec: Codec
    var linkType: UInt32
    var packetCount: UInt32
    var payloadLength: UInt32
    var storedLength: UInt32
    var earliest: Int64
    var latest: Int64

    /// Length of header plus stored payload: the block's size in the data file.
    var totalLength: Int { BlockHeader.size + Int(storedLength) }

    /// Writes the header with its CRC over the header fields and `storedPayload`.
    func encode(into destination: UnsafeMutableRawPointer, storedPayload: UnsafeRawBufferPointer) {
        destination.storeLittleEndian(BlockHeader.magic, at: 0)
        destination.storeBytes(of: codec.rawValue, toByteOffset: 8, as: UInt8.self)
        destination.storeBytes(of: 0, toByteOffset: 9, as: UInt8.self)
        destination.storeLittleEndian(UInt16(0), at: 10)
        destination.storeLittleEndian(linkType, at: 12)
        destination.storeLittleEndian(packetCount, at: 16)
        destination.storeLittleEndian(payloadLength, at: 20)
        destination.storeLittleEndian(storedLength, at: 24)
        destination.storeLittleEndian(UInt32(0), at: 28)
        destination.storeLittleEndian(earliest, at: 32)
        destination.storeLittleEndian(latest, at: 40)
        let headerCRC = CRC32C.checksum(UnsafeRawBufferPointer(start: destination + 8, count: BlockHeader.size - 8))
        destination.storeLittleEndian(CRC32C.checksum(storedPayload, continuing: headerCRC), at: 4)
    }

    /// Reads a header; returns nil (with a reason) if the magic or fields are impossible.
    /// The CRC is checked separately by ``verify(header:storedPayload:)``, once the payload is read.
    static func decode(_ source: UnsafeRawPointer) -> Result<BlockHeader, BlockFormatError> {
        guard source.loadLittleEndian(at: 0, as: UInt32.self) == magic else { return .failure(.badMagic) }
        guard let codec = Codec(rawValue: source.load(fromByteOffset: 8, as: UInt8.self)) else {
            return .failure(.badField("unknown codec"))
        }
        let header = BlockHeader(
            codec: codec,
            linkType: source.loadLittleEndian(at: 12),
            packetCount: source.loadLittleEndian(at: 16),
            payloadLength: source.loadLittleEndian(at: 20),
            storedLength: source.loadLittleEndian(at: 24),
            earliest: source.loadLittleEndian(at: 32),
            latest: source.loadLittleEndian(at: 40))
        guard header.payloadLength <= BlockHeader.maxPayload, header.storedLength <= BlockHeader.maxPayload,
              codec == .lz4 || header.storedLength == header.payloadLength,
              header.packetCount > 0, header.earliest <= header.latest else {
            return .failure(.badField("impossible lengths, count or times"))
        }
        return .success(header)
    }

    /// Whether the CRC at offset 4 of `header` matches the header fields and `storedPayload`.
    static func verify(header: UnsafeRawPointer, storedPayload: UnsafeRawBufferPointer) -> Bool {
        let headerCRC = CRC32C.checksum(UnsafeRawBufferPointer(start: header + 8, count: size - 8))
        return header.loadLittleEndian(at: 4, as: UInt32.self) == CRC32C.checksum(storedPayload, continuing: headerCRC)
    }

    /// Upper bound on a block's payload (64 MiB): anything larger is corruption.
    static let maxPayload: UInt32 = 64 << 20
}

/// Why bytes in a data file are not a valid block.
enum BlockFormatError: Error, CustomStringConvertible {
    case badMagic
    case badField(String)
    case badChecksum
    case truncated
    case badPayload(String)

    var description: String {
        switch self {
        case .badMagic: "no block magic"
        case .badField(let reason): "bad block header: \(reason)"
        case .badChecksum: "block CRC-32C mismatch"
        case .truncated: "block extends past the end of the file"
        case .badPayload(let reason): "bad block payload: \(reason)"
        }
    }
}
