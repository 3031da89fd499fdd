import Foundation
import TapedeckCapture
import TapedeckCore
import TapedeckFlows

/// Capture files shared by all test targets, in `Tests/Fixtures`, and `../shared/pcaps` next to
/// the repository when it is there.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// `../shared/pcaps` beside the repository (the worktree's parent's `shared`).
    static let sharedCaptures = directory.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/pcaps")

    static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }
}

extension FlowTracker {
    /// Feeds every packet of the capture at `path` to the tracker, then flushes it.
    func processCapture(_ path: String, into sink: inout some FlowEventSink) throws {
        let reader = try PcapFileReader(path: path)
        while let record = try reader.next() {
            process(record, into: &sink)
        }
        flushAll(into: &sink)
    }
}
