import CPcap
import TapedeckCore
import TapedeckPOSIX

/// Reads a pcap or pcapng capture file through libpcap, one borrowed packet at a time.
///
/// The reader owns a `pcap_t *` from `pcap_open_offline_with_tstamp_precision` (nanosecond
/// precision, so microsecond files are scaled exactly and nanosecond files keep every digit)
/// and closes it in `deinit` (`pcap_close`). `"-"` reads standard input, as with `tcpdump -r -`.
///
/// It returns exactly the packets `tcpdump -r FILE` reads, in the same order, and then the error
/// tcpdump would report: libpcap's checks are the only ones made (it rejects, for example, a
/// captured length above 256 KiB, cuts a smaller one that exceeds the file's snapshot length
/// to that length, and accepts one above the original length), so that nothing tcpdump can
/// read is lost on import.
///
/// ## Borrowed records
/// A record from ``next()`` points into libpcap's packet buffer and is valid until the next call
/// or until the reader is released (see ``PacketSource``). `next()` allocates nothing.
///
/// ## Progress and damage
/// ``bytesConsumed`` and ``fileSize`` give progress. When the file is damaged, ``next()`` throws
/// ``CaptureError`` naming the packet number and the byte offset where the unreadable record
/// starts, after having returned every packet before it.
///
/// ## Threads
/// Not `Sendable`: `next()` mutates the reader and libpcap's buffer without locks, and the
/// records it returns borrow that buffer, so one thread at a time must own it. Hand a reader
/// to another thread or task as a `sending` value (or create it there).
public final class PcapFileReader: PacketSource {
    /// The path given to ``init(path:)``.
    public let path: String
    /// The link-layer type of the file: `pcap_datalink` mapped back to the `LINKTYPE_*` number
    /// that `tcpdump -r FILE -w -` would write (on Linux the file values 11, 12, 15, 16 and 19
    /// read as 100, 101, 102, 103 and 106; see `LinkType+DLT.swift`). The upper bits of a pcap
    /// LINKTYPE field (FCS length, `pcap_datalink_ext`) are not part of it.
    public let linkType: LinkType
    /// The file's size in bytes when it was opened (`fstat`); `nil` when reading from a pipe.
    public let fileSize: Int64?
    /// Number of packets returned so far.
    public private(set) var packetsRead = 0

    private let handle: PcapHandle
    /// libpcap's stream; `nil` offsets are reported when it cannot tell its position (a pipe).
    private let stream: UnsafeMutablePointer<FILE>
    private let isSeekable: Bool
    /// Where the record that ``next()`` is about to read starts.
    private var recordOffset: Int64?
    private var failure: CaptureError?
    private var atEnd = false

    /// Opens the capture file at `path`; `"-"` is standard input.
    ///
    /// - Throws: ``CaptureError/cannotOpen(path:reason:)`` when the file is missing or
    ///   unreadable, is not a pcap or pcapng file, or has a damaged file header.
    public init(path: String) throws(CaptureError) {
        let handle = try PcapHandle.openOffline(path)
        guard let stream = handle.file else {
            handle.close()
            throw .cannotOpen(path: path, reason: "libpcap has no file stream for it")
        }
        self.path = path
        self.handle = handle
        self.stream = stream
        linkType = LinkType(dataLink: handle.dataLink)
        isSeekable = Stdio.seekInPlace(stream)
        recordOffset = isSeekable ? Stdio.position(stream) : nil
        fileSize = isSeekable ? try? FileDescriptor(rawValue: Stdio.descriptor(stream)).size() : nil
    }

    deinit {
        handle.close()
    }

    /// The path, for messages.
    public var name: String { path }

    /// Bytes of the file read so far, including libpcap's file header (`ftello` on the
    /// stream of `pcap_file`); `nil` when reading from a pipe.
    public var bytesConsumed: Int64? {
        isSeekable ? Stdio.position(stream) : nil
    }

    /// The next packet (`pcap_next_ex`), borrowed from libpcap's buffer until the next call;
    /// `nil` at the end of the file.
    ///
    /// - Throws: ``CaptureError/corrupt(path:packetNumber:byteOffset:reason:)`` for a damaged
    ///   or unreadable record, ``CaptureError/unsupported(path:packetNumber:byteOffset:reason:)``
    ///   for a pcapng interface libpcap cannot mix with the first one. After an error, every
    ///   call throws it again; after the end, every call returns `nil`.
    public func next() throws(CaptureError) -> PacketRecord? {
        if let failure { throw failure }
        if atEnd { return nil }
        if isSeekable {
            recordOffset = Stdio.position(stream)
        }
        switch handle.next(linkType: linkType) {
        case .packet(let record):
            packetsRead += 1
            return record
        case .endOfFile, .noPacket:  // a file handle never returns "no packet yet"
            atEnd = true
            return nil
        case .error:
            let error = readError(reason: handle.lastError)
            failure = error
            throw error
        }
    }

    /// Classifies libpcap's message for the packet after the last one returned.
    private func readError(reason: String) -> CaptureError {
        // libpcap 1.10 refuses a pcapng interface unlike the first with "an interface has a
        // type … different from …" or "an interface has a snapshot length … different from …".
        if reason.hasPrefix("an interface has a ") {
            return .unsupported(path: path, packetNumber: packetsRead + 1, byteOffset: recordOffset, reason: reason)
        }
        return .corrupt(path: path, packetNumber: packetsRead + 1, byteOffset: recordOffset, reason: reason)
    }
}

@available(*, unavailable, message: "a reader and the records it returns belong to one thread at a time")
extension PcapFileReader: Sendable {}
