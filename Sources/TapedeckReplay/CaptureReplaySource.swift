import TapedeckCapture
import TapedeckCore

/// A `PacketSource` as a ``ReplaySource``: a capture file through `PcapFileReader`, or any other
/// pull-based source of the Capture module.
public final class CaptureReplaySource<Source: PacketSource>: ReplaySource {
    private var source: Source

    /// Replays `source`.
    public init(_ source: Source) {
        self.source = source
    }

    /// The source's name (the file's path).
    public var name: String { source.name }

    @inline(__always)
    public func next() throws(ReplayError) -> PacketRecord? {
        do { return try source.next() } catch { throw .capture(error) }
    }
}

extension CaptureReplaySource where Source == PcapFileReader {
    /// Opens the pcap or pcapng file at `path`.
    ///
    /// - Throws: ``ReplayError/capture(_:)`` when it cannot be opened as a capture file.
    public convenience init(path: String) throws(ReplayError) {
        do { self.init(try PcapFileReader(path: path)) } catch { throw .capture(error) }
    }
}
