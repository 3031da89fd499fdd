/// The names of one segment's files. Data and index share a name, as in Stenographer:
/// `seg-<16 hex digits>.active` while recording, `.data` once sealed, `.index` beside it,
/// and hidden `.seg-….tmp` names while a file is being written.
struct SegmentFiles: Sendable {
    let directory: String
    let id: UInt64

    /// `seg-` and the id as 16 lower-case hex digits.
    var name: String {
        let hex = String(id, radix: 16)
        return "seg-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    var activePath: String { "\(directory)/\(name).active" }
    var dataPath: String { "\(directory)/\(name).data" }
    var indexPath: String { "\(directory)/\(name).index" }

    /// The segment id and kind of a store file name, or nil if it is not a segment file.
    static func parse(_ fileName: String) -> (id: UInt64, kind: Kind)? {
        guard fileName.hasPrefix("seg-"), let dot = fileName.lastIndex(of: ".") else { return nil }
        let hex = fileName[fileName.index(fileName.startIndex, offsetBy: 4)..<dot]
        guard hex.count == 16, let id = UInt64(hex, radix: 16),
              let kind = Kind(rawValue: String(fileName[fileName.index(after: dot)...])) else { return nil }
        return (id, kind)
    }

    /// The kinds of segment file.
    enum Kind: String {
        case active, data, index
    }
}
