/// Why a capture-file writer refused a record.
public enum PcapWriterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A classic pcap file has one link type for all its records; this record has another.
    /// Use ``PcapngWriter`` for results that span link types.
    case linkTypeMismatch(file: LinkType, record: LinkType)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case let .linkTypeMismatch(file, record):
            "record link type \(record) differs from the pcap file's link type \(file)"
        }
    }
}
