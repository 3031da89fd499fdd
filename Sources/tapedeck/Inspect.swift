import ArgumentParser
import FoundationEssentials
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

    @Flag(name: .long, help: "Print the totals (and with --segments the segments) as JSON.")
    var json = false

    func run() throws {
        let store = try StoreReader(directory: storeOptions.directory)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(StoreTotals(store: store, listSegments: segments)), as: UTF8.self))
        } else {
            print(StoreSummary(store: store).text)
        }
        if segments, !json {
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

/// What `inspect --json` prints: totals over the sealed segments (byte counts in bytes, times
/// in RFC 3339 with nanoseconds), and with `--segments` one entry per segment.
struct StoreTotals: Encodable {
    var store: String
    var segmentCount: Int
    var activeSegment: String?
    var earliest: String?
    var latest: String?
    var packets: UInt64
    var originalBytes: UInt64
    var capturedBytes: UInt64
    var dataBytes: UInt64
    var indexBytes: UInt64
    var segments: [Segment]?

    struct Segment: Encodable {
        var name: String
        var earliest: String
        var latest: String
        var packets: UInt64
        var capturedBytes: UInt64
        var dataBytes: UInt64
        var indexBytes: UInt64
    }

    init(store: StoreReader, listSegments: Bool) {
        let sealed = store.sealedSegments
        self.store = store.directory
        segmentCount = sealed.count
        activeSegment = store.activeSegmentID.map(SegmentFilesName.name)
        earliest = sealed.map(\.earliest).min()?.description
        latest = sealed.map(\.latest).max()?.description
        packets = sealed.reduce(0) { $0 + $1.packets }
        originalBytes = sealed.reduce(0) { $0 + $1.originalBytes }
        capturedBytes = sealed.reduce(0) { $0 + $1.capturedBytes }
        dataBytes = sealed.reduce(0) { $0 + $1.dataBytes }
        indexBytes = sealed.reduce(0) { $0 + $1.indexBytes }
        segments = listSegments ? sealed.map {
            Segment(name: SegmentFilesName.name($0.id), earliest: $0.earliest.description, latest: $0.latest.description,
                    packets: $0.packets, capturedBytes: $0.capturedBytes, dataBytes: $0.dataBytes, indexBytes: $0.indexBytes)
        } : nil
    }
}

/// The totals `inspect` and `run` print.
struct StoreSummary {
    let text: String

    init(store: StoreReader) {
        let totals = StoreTotals(store: store, listSegments: false)
        let sealed = store.sealedSegments
        let (packets, captured, original) = (totals.packets, totals.capturedBytes, totals.originalBytes)
        let (data, index) = (totals.dataBytes, totals.indexBytes)
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
