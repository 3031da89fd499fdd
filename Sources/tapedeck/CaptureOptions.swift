import ArgumentParser
import TapedeckDaemon
import TapedeckStorage

/// The live-capture flags of `record` and `run`.
struct CaptureOptions: ParsableArguments {
    @Option(name: [.customShort("i"), .customLong("interface")], help: ArgumentHelp(
        "Interface to record from; repeat for several.", valueName: "name"))
    var interfaces: [String] = []

    @Option(help: "Capture threads (rings) per interface, sharing its traffic by flow (PACKET_FANOUT).")
    var threads = 1

    @Option(help: ArgumentHelp("Kernel BPF filter, tcpdump syntax (default: everything).", valueName: "bpf"))
    var filter: String?

    @Option(help: "Bytes kept of each packet.")
    var snaplen = 262_144

    @Option(name: .customLong("ring-size"), help: ArgumentHelp("Ring (or libpcap buffer) per thread.", valueName: "size"))
    var ringSize = "64MiB"

    @Option(name: .customLong("block-size"), help: ArgumentHelp("Ring block size (AF_PACKET).", valueName: "size"))
    var blockSize = "1MiB"

    @Flag(inversion: .prefixedNo, help: "Put the interfaces in promiscuous mode.")
    var promisc = true

    @Option(help: ArgumentHelp("Capture mechanism: afpacket (TPACKET_V3 ring) or pcap (libpcap).", valueName: "kind"))
    var source = "afpacket"

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        _ = try configuration(interfaces: interfaces, store: StoreWriter.Configuration())
    }

    /// The recorder configuration for `interfaces` (the flags' interfaces unless a command
    /// supplies defaults).
    func configuration(interfaces: [String], store: StoreWriter.Configuration) throws -> RecorderConfiguration {
        var configuration = RecorderConfiguration(interfaces: interfaces)
        guard let kind = RecorderConfiguration.SourceKind(rawValue: source) else {
            throw ValidationError("--source must be afpacket or pcap, not '\(source)'")
        }
        configuration.source = kind
        configuration.threadsPerInterface = threads
        configuration.filter = filter
        configuration.snapLength = snaplen
        configuration.ringSize = try Self.size(ringSize, option: "--ring-size")
        configuration.ringBlockSize = try Self.size(blockSize, option: "--block-size")
        configuration.promiscuous = promisc
        configuration.store = store
        return configuration
    }

    private static func size(_ text: String, option: String) throws -> Int {
        guard case .bytes(let bytes) = RetentionPolicy.Amount(text), bytes > 0, bytes <= Int64(Int32.max) else {
            throw ValidationError("\(option): '\(text)' is not a size (like 64MiB)")
        }
        return Int(bytes)
    }
}
