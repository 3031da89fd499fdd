import ArgumentParser
import FoundationEssentials
import TapedeckQuery
import TapedeckStorage

/// `tapedeck retention`: how long the store reaches back and what a budget buys.
struct Retention: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report the store's window, size and fill rate, and project what a disk budget buys.",
        discussion: """
            Rates are stored bytes (data + index) per second of packet time, measured over the last \
            hour and the last day of packets in the store. Projections use the last day's rate.
            JSON fields (--json): oldest, newest (RFC 3339), windowSeconds, segments, dataBytes, \
            indexBytes, capturedBytes, originalBytes, compressionRatio, rateLastHour, rateLastDay, \
            rateWindow (bytes/s), deleted {segments, packets, capturedBytes, storedBytes}, \
            projection {rate, budgetBytes, budgetWindowSeconds, targetSeconds, targetBudgetBytes}; \
            values that cannot be computed (an empty store) are null.
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("Budget to project a window for (default: the bytes stored now).", valueName: "size"))
    var budget: String?

    @Option(help: ArgumentHelp("Window to project a budget for (default: 72h).", valueName: "duration"))
    var target = "72h"

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        if let budget, case .bytes = RetentionPolicy.Amount(budget) {} else if let budget {
            throw ValidationError("--budget: '\(budget)' is not a size (like 500GiB)")
        }
        guard let nanoseconds = TimeText.parseDuration(target), nanoseconds > 0 else {
            throw ValidationError("--target: '\(target)' is not a duration (like 72h)")
        }
    }

    func run() throws {
        let store = try StoreReader(directory: storeOptions.directory)
        var budgetBytes: UInt64?
        if let budget, case .bytes(let bytes) = RetentionPolicy.Amount(budget) { budgetBytes = UInt64(bytes) }
        let report = RetentionReport(segments: store.sealedSegments, deleted: store.deleted, budget: budgetBytes,
                                     targetNanoseconds: TimeText.parseDuration(target) ?? 0)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(RetentionJSON(report)), as: UTF8.self))
            return
        }
        print(RetentionText(report: report, store: store.directory).lines.joined(separator: "\n"))
    }
}

/// The human-readable retention report.
struct RetentionText {
    let lines: [String]

    init(report: RetentionReport, store: String) {
        func rate(_ value: Double?) -> String { value.map { "\(Format.bytes(UInt64($0)))/s" } ?? "-" }
        var lines = ["store: \(store)"]
        if let oldest = report.oldest, let newest = report.newest {
            lines.append("window: \(oldest) – \(newest) (\(Format.duration(seconds: report.windowSeconds)))")
        } else {
            lines.append("window: empty")
        }
        lines.append("on disk: \(Format.bytes(report.dataBytes + report.indexBytes)) in \(report.segments) segments "
            + "(data \(Format.bytes(report.dataBytes)), index \(Format.bytes(report.indexBytes)))")
        lines.append("captured: \(Format.bytes(report.capturedBytes)) of \(Format.bytes(report.originalBytes)) on the wire; "
            + "compression \(report.compressionRatio.map { Format.fixed($0, 2) + "×" } ?? "-")")
        lines.append("fill rate: last hour \(rate(report.rateLastHour)), last day \(rate(report.rateLastDay)), "
            + "whole window \(rate(report.rateWindow))")
        lines.append("deleted by retention: \(report.deleted.segments) segments, \(report.deleted.packets) packets, "
            + "\(Format.bytes(report.deleted.storedBytes))")
        if let window = report.budgetWindowSeconds, let needed = report.targetBudgetBytes {
            lines.append("a budget of \(Format.bytes(report.budgetBytes)) keeps \(Format.duration(seconds: window)) at the last day's rate")
            lines.append("a window of \(Format.duration(seconds: report.targetSeconds)) needs \(Format.bytes(needed)) at the last day's rate")
        } else {
            lines.append("projections: not enough data (the store holds no span of packet time)")
        }
        self.lines = lines
    }
}

/// `retention --json`; the fields are listed in the command's help.
struct RetentionJSON: Encodable {
    struct Deleted: Encodable {
        var segments, packets, capturedBytes, storedBytes: UInt64
    }

    struct Projection: Encodable {
        var rate: Double?
        var budgetBytes: UInt64
        var budgetWindowSeconds: Double?
        var targetSeconds: Double
        var targetBudgetBytes: UInt64?
    }

    var oldest, newest: String?
    var windowSeconds: Double
    var segments: Int
    var dataBytes, indexBytes, capturedBytes, originalBytes: UInt64
    var compressionRatio, rateLastHour, rateLastDay, rateWindow: Double?
    var deleted: Deleted
    var projection: Projection

    init(_ report: RetentionReport) {
        oldest = report.oldest?.description
        newest = report.newest?.description
        windowSeconds = report.windowSeconds
        segments = report.segments
        dataBytes = report.dataBytes
        indexBytes = report.indexBytes
        capturedBytes = report.capturedBytes
        originalBytes = report.originalBytes
        compressionRatio = report.compressionRatio
        rateLastHour = report.rateLastHour
        rateLastDay = report.rateLastDay
        rateWindow = report.rateWindow
        deleted = Deleted(segments: report.deleted.segments, packets: report.deleted.packets,
                          capturedBytes: report.deleted.capturedBytes, storedBytes: report.deleted.storedBytes)
        projection = Projection(rate: report.projectionRate, budgetBytes: report.budgetBytes,
                                budgetWindowSeconds: report.budgetWindowSeconds, targetSeconds: report.targetSeconds,
                                targetBudgetBytes: report.targetBudgetBytes)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        // Explicit nulls: a field that cannot be computed is present and null.
        try container.encode(oldest, forKey: .oldest)
        try container.encode(newest, forKey: .newest)
        try container.encode(windowSeconds, forKey: .windowSeconds)
        try container.encode(segments, forKey: .segments)
        try container.encode(dataBytes, forKey: .dataBytes)
        try container.encode(indexBytes, forKey: .indexBytes)
        try container.encode(capturedBytes, forKey: .capturedBytes)
        try container.encode(originalBytes, forKey: .originalBytes)
        try container.encode(compressionRatio, forKey: .compressionRatio)
        try container.encode(rateLastHour, forKey: .rateLastHour)
        try container.encode(rateLastDay, forKey: .rateLastDay)
        try container.encode(rateWindow, forKey: .rateWindow)
        try container.encode(deleted, forKey: .deleted)
        try container.encode(projection, forKey: .projection)
    }

    enum CodingKeys: String, CodingKey {
        case oldest, newest, windowSeconds, segments, dataBytes, indexBytes, capturedBytes, originalBytes
        case compressionRatio, rateLastHour, rateLastDay, rateWindow, deleted, projection
    }
}
