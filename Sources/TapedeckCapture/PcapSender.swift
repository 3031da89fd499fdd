import CPcap
import TapedeckCore

/// An interface opened with libpcap to send frames on it (`pcap_create`, `pcap_activate`,
/// `pcap_inject`), for the libpcap injector of `tapedeck replay`. Owns the `pcap_t *` and closes
/// it in `deinit` (`pcap_close`).
///
/// libpcap has no send-only handle: activating it also opens a capture. The handle captures
/// with libpcap's smallest settings and a filter that refuses every packet (`less 1`), so nothing
/// is copied into its buffer. On Linux, libpcap sends with `send(2)` on its packet socket, one
/// frame per call, and the socket does not receive its own frames.
///
/// Not `Sendable`: one thread at a time sends.
public final class PcapSender {
    /// The interface.
    public let interface: String
    /// The link-layer type of the interface (`pcap_datalink`): the frames it takes.
    public let linkType: LinkType

    private let handle: PcapHandle

    /// Why ``send(_:)`` failed: the `errno` of libpcap's `send` (`ENOBUFS`: the device queue is
    /// full; 0 when libpcap failed for another reason) and libpcap's message.
    public struct Failure: Error, Sendable {
        /// The `errno` value, or 0.
        public var code: Int32
        /// libpcap's message (`pcap_geterr`).
        public var message: String
    }

    /// Opens `interface` for sending.
    ///
    /// - Throws: ``CaptureError/cannotCapture(interface:reason:)`` with libpcap's message when it
    ///   cannot open or activate the interface (no such device, permission denied).
    public init(interface: String) throws(CaptureError) {
        let handle: PcapHandle
        do { handle = try PcapHandle.create(interface: interface) } catch {
            throw .cannotCapture(interface: interface, reason: error.message)
        }
        do throws(CaptureError) {
            func check(_ status: Int32) throws(CaptureError) {
                if status != 0 { throw .cannotCapture(interface: interface, reason: handle.message(for: status)) }
            }
            try check(handle.setSnapLength(64))
            try check(handle.setPromiscuous(false))
            try check(handle.setBufferSize(1 << 20))
            let status = handle.activate()
            if status < 0 { try check(status) }
            try check(handle.setFilter(try BPFProgram(expression: "less 1", compiledOn: handle)))
        } catch {
            handle.close()
            throw error
        }
        self.interface = interface
        self.handle = handle
        linkType = LinkType(dataLink: handle.dataLink)
    }

    deinit {
        handle.close()
    }

    /// Sends `frame` as it is, link-layer header included (`pcap_inject`).
    ///
    /// - Throws: ``Failure`` when libpcap could not send it.
    @inline(__always)
    public func send(_ frame: UnsafeRawBufferPointer) throws(Failure) {
        let (result, code) = handle.inject(frame)
        if result < 0 {
            throw Failure(code: code, message: handle.lastError)
        }
    }
}

@available(*, unavailable, message: "a sender belongs to one thread at a time")
extension PcapSender: Sendable {}
