import ArgumentParser
import Logging
import TapedeckCapture
import TapedeckCore
import TapedeckStorage

/// `tapedeck import`: reads capture files into the store.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import pcap and pcapng files into the store.",
        discussion: """
            Files may overlap in time or go backwards; every packet is stored with its original \
            timestamp, lengths and link type. A damaged file is imported up to the damage, the \
            error says where it is, and the command exits with status 1 after the other files. \
            With --kafka-brokers, the flows of what the store holds and no earlier run published \
            are published to Kafka (a backfill), and the command returns once Kafka acknowledged them.
            """)

    @OptionGroup var storeOptions: StoreOptions

    @OptionGroup(title: "Retention") var retentionOptions: RetentionOptions

    @OptionGroup(title: "Kafka (publish the flows of the imported packets)") var publishing: FlowPublishingOptions

    @Flag(name: .long, help: "Do not draw a progress bar, even on a terminal.")
    var noProgress = false

    @Flag(name: .shortAndLong, help: "Log segment sealing and recovery details.")
    var verbose = false

    @Argument(help: ArgumentHelp("Capture files to import.", valueName: "file"))
    var files: [String]

    func run() throws {
        let logger = makeLogger(verbose: verbose)
        let flowPublishing = try FlowPublishing(options: publishing, live: false, logger: logger)
        var configuration = StoreWriter.Configuration()
        configuration.retention = try retentionOptions.policy()
        let outcome = try importCaptures(files, into: storeOptions.directory,
                                         configuration: flowPublishing.storeConfiguration(configuration), logger: logger,
                                         progress: !noProgress && FileDescriptorSink.standardErrorIsTerminal) { _ in
            try flowPublishing.start(store: storeOptions.directory)
        }
        try flowPublishing.finish()
        if !outcome.failures.isEmpty { throw ExitCode(1) }
    }
}

/// What an import did: the files that could not be read completely, with the reason and place.
struct ImportOutcome {
    var failures: [String] = []
}

/// Imports `files` into the store at `directory`, printing a summary line (and the failures) on
/// standard error. A damaged file contributes every packet before the damage. `whileImporting`
/// runs once the store is open, before the first packet.
func importCaptures(_ files: [String], into directory: String, configuration: StoreWriter.Configuration = .init(),
                    logger: Logger, progress showProgress: Bool,
                    whileImporting: (StoreWriter) throws -> Void = { _ in }) throws -> ImportOutcome {
    let writer = try StoreWriter(directory: directory, configuration: configuration, logger: logger)
    try whileImporting(writer)
    let existing = Set(writer.sealedSegments.map(\.id))
    let progress = ImportProgress(files: files, enabled: showProgress)
    var outcome = ImportOutcome()
    var packets = 0
    var bytes = 0
    let started = monotonicSeconds()
    for (index, path) in files.enumerated() {
        let reader: PcapFileReader
        do {
            reader = try PcapFileReader(path: path)
        } catch {
            outcome.failures.append(error.description)
            continue
        }
        progress.start(file: index, size: reader.fileSize)
        do {
            while let record = try reader.next() {
                try writer.append(record)
                packets += 1
                bytes += record.bytes.count
                if packets & 0xFFF == 0 { progress.update(consumed: reader.bytesConsumed, packets: packets) }
            }
        } catch let error as CaptureError {
            outcome.failures.append(error.description)
        }
    }
    try writer.close()
    progress.finish()
    let elapsed = monotonicSeconds() - started
    let added = writer.sealedSegments.filter { !existing.contains($0.id) }
    // Segments retention deleted during the import are gone from the listing; their bytes are not
    // in the totals below.
    let dataBytes = added.reduce(0) { $0 + $1.dataBytes }
    let indexBytes = added.reduce(0) { $0 + $1.indexBytes }
    let keptBytes = added.reduce(0) { $0 + $1.capturedBytes }
    let megabytesPerSecond = Double(bytes) / 1e6 / max(elapsed, 1e-9)
    let completeFiles = files.count - outcome.failures.count
    printError("imported \(packets) packets (\(Format.bytes(bytes))) from \(completeFiles) of \(files.count) files "
        + "in \(Format.duration(seconds: elapsed)): \(Format.fixed(megabytesPerSecond, 1)) MB/s, "
        + "\(Format.fixed(Double(packets) / max(elapsed, 1e-9) / 1000, 1))k packets/s; stored \(Format.bytes(dataBytes)) "
        + "in \(added.count) segments (compression \(Format.fixed(Double(keptBytes) / Double(max(dataBytes, 1)), 2))×), "
        + "index \(Format.bytes(indexBytes)) (\(Format.fixed(100 * Double(indexBytes) / Double(max(dataBytes, 1)), 1))% of stored)")
    for failure in outcome.failures { printError("error: \(failure)") }
    return outcome
}

/// The progress bar `tapedeck import` draws on standard error when it is a terminal.
final class ImportProgress {
    private let files: [String]
    private let enabled: Bool
    private var file = 0
    private var size: Int64?
    private var lastDraw = 0.0

    init(files: [String], enabled: Bool) {
        self.files = files
        self.enabled = enabled
    }

    func start(file: Int, size: Int64?) {
        self.file = file
        self.size = size
        lastDraw = 0
    }

    func update(consumed: Int64?, packets: Int) {
        guard enabled else { return }
        let now = monotonicSeconds()
        guard now - lastDraw >= 0.2 else { return }
        lastDraw = now
        var fraction = 0.0
        if let consumed, let size, size > 0 { fraction = min(1, Double(consumed) / Double(size)) }
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let name = files[file].split(separator: "/").last.map(String.init) ?? files[file]
        printErrorRaw("\r\u{1B}[K[\(bar)] \(Format.fixed(fraction * 100, 0))% file \(file + 1)/\(files.count) \(name) – \(packets) packets")
    }

    func finish() {
        if enabled { printErrorRaw("\r\u{1B}[K") }
    }
}

/// A logger writing to standard error; `verbose` lowers the level to debug from `level`.
func makeLogger(verbose: Bool, level: Logger.Level = .warning) -> Logger {
    var logger = Logger(label: "tapedeck") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = verbose ? .debug : level
    return logger
}
