import ArgumentParser
import TapedeckCore
import TapedeckPOSIX
import TapedeckQuery
import TapedeckStorage

/// `tapedeck query`: carves the packets matching a query out of the store as a pcap.
struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the stored packets that match a query as pcap, in time order.",
        discussion: """
            The query language is Stenographer's plus src/dst and not:
              host IP | net IP/N | net IP mask M | port N | ip proto N | tcp | udp | icmp
              vlan N | mpls N | before T | after T      (T: RFC 3339, or a duration + "ago": 90s, 5m, 1h30m, 2d)
              src/dst host|net|port ... | not / ! | and / && | or / || | ( ... )
            Precedence: not, and, or. `after` is inclusive, `before` exclusive.
            Example: tapedeck query 'host 10.1.2.3 and port 443 and after 10m ago' -w x.pcap
            """)

    /// Output file formats.
    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case pcap, pcapng
    }

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .customShort("w"), help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var outputFile: String?

    @Option(name: .customLong("limit-packets"), help: "Stop after this many packets.")
    var limitPackets: Int?

    @Option(name: .customLong("limit-bytes"), help: "Stop before the pcap records would exceed this many bytes.")
    var limitBytes: Int?

    @Option(help: "Output format (default: pcap, or pcapng when the result spans link types).")
    var format: OutputFormat?

    @Flag(name: .customLong("usec"), help: "Write microsecond timestamps (default: nanoseconds).")
    var microseconds = false

    @Flag(name: .long, help: "Print what the query read to standard error.")
    var stats = false

    @Argument(help: ArgumentHelp("The query; several arguments are joined with spaces.", valueName: "query"))
    var query: [String]

    func validate() throws {
        if let limitPackets, limitPackets < 0 { throw ValidationError("--limit-packets must not be negative") }
        if let limitBytes, limitBytes < 0 { throw ValidationError("--limit-bytes must not be negative") }
    }

    func run() throws {
        let text = query.joined(separator: " ")
        let expression: QueryExpression
        do {
            expression = try QueryExpression.parse(text, now: .now())
        } catch {
            printError("error: bad query: \(error.rendered)")
            throw ExitCode(2)
        }
        let store = try StoreReader(directory: storeOptions.directory)
        let executor = try QueryExecutor(store: store, expression: expression)
        let linkTypes = executor.linkTypes
        let chosen = format ?? (linkTypes.count > 1 ? .pcapng : .pcap)
        if chosen == .pcap, linkTypes.count > 1 {
            printError("error: the result spans link types \(linkTypes.map(\.description).joined(separator: ", ")); "
                + "a pcap file holds one: use --format pcapng")
            throw ExitCode(2)
        }
        let output = try OutputFile(path: outputFile)
        let limits = QueryLimits(maxPackets: limitPackets, maxBytes: limitBytes)
        let precision: TimestampPrecision = microseconds ? .microseconds : .nanoseconds
        let statistics: QueryStatistics
        do {
            switch chosen {
            case .pcap:
                let writer = PcapWriter(sink: output.sink, linkType: linkTypes.first ?? .ethernet, precision: precision)
                statistics = try executor.run(limits: limits) { try writer.write($0) }
                try writer.flush()
            case .pcapng:
                let writer = PcapngWriter(sink: output.sink, precision: precision)
                statistics = try executor.run(limits: limits) { try writer.write($0) }
                try writer.flush()
            }
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
        if stats {
            printError("\(statistics.packetsMatched) packets (\(Format.bytes(statistics.bytesMatched))); "
                + "searched \(statistics.segmentsSearched) segments, read \(statistics.blocksRead) blocks, "
                + "examined \(statistics.packetsExamined) packets\(statistics.limitReached ? "; stopped at the limit" : "")")
        }
    }
}

/// Where query output goes: standard output, or a file written under a temporary name and
/// renamed when complete, so that a failed query leaves no partial file.
struct OutputFile {
    let sink: FileDescriptorSink
    private let path: String?
    private let temporaryPath: String?

    init(path: String?) throws {
        self.path = path
        guard let path, path != "-" else {
            if FileDescriptor.standardOutput.isTerminal {
                printError("error: refusing to write pcap to a terminal: use -w FILE or redirect standard output")
                throw ExitCode(2)
            }
            sink = FileDescriptorSink(descriptor: .standardOutput)
            temporaryPath = nil
            return
        }
        let directoryEnd = path.lastIndex(of: "/")
        let name = directoryEnd.map { String(path[path.index(after: $0)...]) } ?? path
        let directory = directoryEnd.map { String(path[..<$0]) }
        let temporary = (directory.map { $0 + "/" } ?? "") + ".\(name).tapedeck.tmp"
        do {
            sink = FileDescriptorSink(descriptor: try FileDescriptor.open(temporary, [.writeOnly, .create, .truncate]))
        } catch {
            printError("error: cannot write \(path): \(error.message)")
            throw ExitCode(1)
        }
        temporaryPath = temporary
    }

    /// Makes the output final: closes and renames the file into place.
    func commit() throws {
        guard let path, let temporaryPath else { return }
        try sink.descriptor.close()
        try FileSystem.rename(temporaryPath, to: path)
    }

    /// Removes a partial output file.
    func discard() {
        guard let temporaryPath else { return }
        try? sink.descriptor.close()
        try? FileSystem.unlink(temporaryPath)
    }
}
