import CPcap
import TapedeckCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `pcap_t *`, with one method per libpcap call this module makes. A plain value that does not
/// own the handle: its owner (``PcapFileReader``, ``PcapLiveSource``, ``BPFProgram`` for a dead
/// handle) calls ``close()`` exactly once.
struct PcapHandle {
    let pointer: OpaquePointer

    /// What ``next()`` found.
    enum NextResult {
        /// A packet, borrowing libpcap's buffer until the next call.
        case packet(PacketRecord)
        /// A live capture has no packet ready (a non-blocking handle, or the timeout passed).
        case noPacket
        case endOfFile
        case error
    }

    /// Opens a pcap or pcapng file (or standard input for `"-"`) with nanosecond time stamps
    /// (`pcap_open_offline_with_tstamp_precision` with `PCAP_TSTAMP_PRECISION_NANO`), so that
    /// microsecond files are scaled by libpcap and nanosecond files keep every digit.
    /// A message that starts with the path (as for a missing file) loses that prefix, since
    /// ``CaptureError`` names the path itself.
    static func openOffline(_ path: String) throws(CaptureError) -> PcapHandle {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let pointer = pcap_open_offline_with_tstamp_precision(
            path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf
        ) else {
            var reason = errbuf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            if reason.hasPrefix(path + ": ") {
                reason.removeFirst(path.count + 2)
            }
            throw .cannotOpen(path: path, reason: reason)
        }
        return PcapHandle(pointer: pointer)
    }

    /// Closes the handle and, for a file, its `FILE *` (`pcap_close`).
    func close() {
        pcap_close(pointer)
    }

    /// The link-layer type as a `DLT_*` value (`pcap_datalink`).
    var dataLink: Int32 {
        pcap_datalink(pointer)
    }

    /// The stdio stream libpcap reads a capture file through (`pcap_file`).
    var file: UnsafeMutablePointer<FILE>? {
        pcap_file(pointer)
    }

    /// Reads the next packet (`pcap_next_ex`): 1 is a packet, 0 no packet yet (live captures
    /// only), `PCAP_ERROR_BREAK` the end of a file, anything else an error. The packet's bytes
    /// stay valid until the next call; the handle was opened for nanosecond time stamps, so the
    /// header's `tv_usec` holds nanoseconds.
    @inline(__always)
    func next(linkType: LinkType) -> NextResult {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        let status = pcap_next_ex(pointer, &header, &data)
        if status == 1, let header, let data {
            let pcapHeader = header.pointee
            return .packet(PacketRecord(
                timestamp: Timestamp(seconds: Int64(pcapHeader.ts.tv_sec), nanoseconds: Int64(pcapHeader.ts.tv_usec)),
                originalLength: pcapHeader.len,
                linkType: linkType,
                bytes: UnsafeRawBufferPointer(start: data, count: Int(pcapHeader.caplen))))
        }
        switch status {
        case 0: return .noPacket
        case PCAP_ERROR_BREAK: return .endOfFile
        default: return .error
        }
    }

    /// The message of the last failed call on this handle (`pcap_geterr`).
    var lastError: String {
        String(cString: pcap_geterr(pointer))
    }
}

/// The stdio calls made on libpcap's `FILE *`, one wrapper each.
enum Stdio {
    /// The current position in `stream`, or `nil` when it is not seekable (`ftello`).
    @inline(__always)
    static func position(_ stream: UnsafeMutablePointer<FILE>) -> Int64? {
        let offset = ftello(stream)
        return offset < 0 ? nil : Int64(offset)
    }

    /// Seeks `stream` to where it already is (`fseeko(stream, 0, SEEK_CUR)`); `false` when it is
    /// not seekable (a pipe). glibc's `fopen` leaves a stream's cached file offset unknown, so
    /// until the first seek every `ftello` costs an `lseek` system call; after it, `ftello`
    /// computes the position from the cache and its buffer pointers.
    static func seekInPlace(_ stream: UnsafeMutablePointer<FILE>) -> Bool {
        fseeko(stream, 0, SEEK_CUR) == 0
    }

    /// The file descriptor under `stream` (`fileno`).
    static func descriptor(_ stream: UnsafeMutablePointer<FILE>) -> Int32 {
        fileno(stream)
    }
}
