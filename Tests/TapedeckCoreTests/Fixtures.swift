import Foundation

/// The shared test fixtures in `Tests/Fixtures` (see its README for where each file comes from).
enum Fixtures {
    /// `Tests/Fixtures`, found from this source file's path.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The bytes of fixture `name`.
    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// A tab-separated table written by `tshark -T fields -E header=y`: one dictionary per row,
    /// keyed by field name.
    static func table(_ name: String) throws -> [[String: String]] {
        let text = String(decoding: try bytes(name), as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard !lines.isEmpty else { return [] }
        let header = lines.removeFirst().split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        return lines.map { line in
            let values = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Dictionary(uniqueKeysWithValues: zip(header, values))
        }
    }
}
