/// The 24-byte header of a classic pcap file (little-endian, version 2.4).
public struct PcapFileHeader: Sendable, Hashable {
    /// Size of the header in bytes.
    public static let size = 24

    /// The link type of every record in the file.
    public var linkType: LinkType
    /// The timestamp resolution, which picks the magic number.
    public var precision: TimestampPrecision
    /// The largest captured length a record may have.
    public var snapLength: UInt32

    /// Creates a header.
    public init(linkType: LinkType, precision: TimestampPrecision, snapLength: UInt32) {
        self.linkType = linkType
        self.precision = precision
        self.snapLength = snapLength
    }

    /// Stores the header's ``size`` bytes at `destination`.
    public func store(to destination: UnsafeMutableRawPointer) {
        destination.storeLittleEndian(precision.pcapMagic, at: 0)
        destination.storeLittleEndian(UInt16(2), at: 4)
        destination.storeLittleEndian(UInt16(4), at: 6)
        destination.storeLittleEndian(UInt32(0), at: 8)  // thiszone
        destination.storeLittleEndian(UInt32(0), at: 12)  // sigfigs
        destination.storeLittleEndian(snapLength, at: 16)
        destination.storeLittleEndian(linkType.rawValue, at: 20)
    }
}
