import ArgumentParser
import TapedeckCore
import TapedeckStorage

/// `tapedeck inspect`: what a store holds, and whether it is intact.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a store's segments, time span, sizes and index overhead; --verify checks every CRC and index entry.")

    @OptionGroup var storeOptions: StoreOptions

    @Flag(help: "Read every block and check its CRC; rebuild every index in memory and compare it with the file.")
    var verify = false

    @Flag(name: .long, help: "List every segment.")
    var segments = false

    func run() throws {
        let store = try StoreReader(directory: storeOptions.directory)
        print(StoreSummary(store: store).text)
        if segments {
            print("segment            earliest                        latest                           packets   captured     data    index")
            for segment in store.sealedSegments {
                print("\(SegmentFilesName.name(segment.id))  \(segment.earliest)  \(segment.latest)  "
                    + "\(pad(segment.packets, 8)) \(pad(Format.bytes(segment.capturedBytes), 10)) "
                    + "\(pad(Format.bytes(segment.dataBytes), 10)) \(pad(Format.bytes(segment.indexBytes), 9))")
            }
        }
        guard verify else { return }
        let report = try StoreVerifier.verify(directory: storeOptions.directory)
        print("verify: \(report.segments) segments, \(report.blocks) blocks, \(report.packets) packets checked: "
            + (report.problems.isEmpty ? "OK" : "\(report.problems.count) problems"))
        for problem in report.problems { printError("error: \(problem)") }
        if !report.problems.isEmpty { throw ExitCode(1) }
    }

    private func pad(_ value: some CustomStringConvertible, _ width: Int) -> String {
        let text = value.description
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

/// Segment names as the store writes them, for listings.
enum SegmentFilesName {
    static func name(_ id: UInt64) -> String {
        let hex = String(id, radix: 16)
        return "seg-" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }
}

/// The totals `inspect` and `run` print.
struct StoreSummary {
    let text: String

    init(store: StoreReader) {
        let sealed = store.sealedSegments
        let packets = sealed.reduce(0) { $0 + $1.packets }
        let captured = sealed.reduce(0) { $0 + $1.capturedBytes }
        let original = sealed.reduce(0) { $0 + $1.originalBytes }
        let data = sealed.reduce(0) { $0 + $1.dataBytes }
        let index = sealed.reduce(0) { $0 + $1.indexBytes }
        var lines = ["store: \(store.directory)"]
        lines.append("segments: \(sealed.count) sealed" + (store.activeSegmentID.map { ", recording \(SegmentFilesName.name($0))" } ?? ""))
        if let earliest = sealed.map(\.earliest).min(), let latest = sealed.map(\.latest).max() {
            let span = Double(latest.nanoseconds - earliest.nanoseconds) / 1e9
            lines.append("time: \(earliest) – \(latest) (\(Format.duration(seconds: span)))")
        }
        lines.append("packets: \(packets); original \(Format.bytes(original)), captured \(Format.bytes(captured))")
        lines.append("stored: \(Format.bytes(data + index)) = data \(Format.bytes(data)) "
            + "(compression \(Format.fixed(Double(captured) / Double(max(data, 1)), 2))×) + index \(Format.bytes(index)) "
            + "(\(Format.fixed(100 * Double(index) / Double(max(data, 1)), 2))% of data)")
        text = lines.joined(separator: "\n")
    }
}
