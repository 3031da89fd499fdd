import Foundation

/// The shared capture files in `Tests/Fixtures` (see its README for their origin).
enum Fixtures {
    /// `Tests/Fixtures`, found from this source file's path.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // IntegrationTests
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Fixtures")

    /// The path of fixture `name` (may contain a subdirectory, e.g. `malformed/x.pcap`).
    static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    /// The files of a fixture subdirectory, sorted by name.
    static func files(in subdirectory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path(subdirectory)).sorted()
    }
}

/// A fresh directory under the system temporary directory, removed with everything in it when
/// the value is released.
final class TemporaryDirectory: @unchecked Sendable {
    /// The directory.
    let url: URL

    /// Creates `tapedeck-itest-<label>-<uuid>`.
    init(_ label: String = "tmp") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tapedeck-itest-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The directory's path.
    var path: String { url.path }

    /// The path of `name` inside the directory.
    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    /// Writes `bytes` to `name` and returns its path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let target = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: target))
        return target
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
