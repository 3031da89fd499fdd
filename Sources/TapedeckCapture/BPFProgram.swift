import CPcap
import TapedeckCore

/// A capture filter compiled by libpcap into a classic BPF program (`struct bpf_program`), the
/// form the kernel runs on a socket (`SO_ATTACH_FILTER`) and libpcap on a handle. Its accepting
/// instructions return the snapshot length, so the kernel also cuts packets to it.
///
/// The program owns its instructions and frees them in `deinit` (`pcap_freecode`).
public final class BPFProgram {
    /// The filter expression, in tcpdump's syntax; empty accepts every packet.
    public let expression: String

    private var program = bpf_program()

    /// Compiles `expression` for packets of `linkType` cut to `snapLength` bytes, as tcpdump
    /// would (`pcap_compile` on a `pcap_open_dead` handle).
    ///
    /// - Throws: ``CaptureError/invalidFilter(expression:reason:)`` with libpcap's message, e.g.
    ///   "illegal port number 99999 > 65535" for `tcp port 99999`; ``CaptureError/invalidConfiguration(reason:)``
    ///   for a snapshot length outside `1...LiveCapture.maximumSnapLength`.
    public convenience init(expression: String, linkType: LinkType = .ethernet,
                            snapLength: Int = LiveCapture.maximumSnapLength) throws(CaptureError) {
        if !(1...LiveCapture.maximumSnapLength).contains(snapLength) {
            throw .invalidConfiguration(
                reason: "snapshot length \(snapLength) must be 1 to \(LiveCapture.maximumSnapLength)")
        }
        guard let handle = PcapHandle.openDead(dataLink: linkType.dataLink, snapLength: snapLength) else {
            throw .invalidFilter(expression: expression, reason: "libpcap could not create a handle to compile it")
        }
        defer { handle.close() }
        try self.init(expression: expression, compiledOn: handle)
    }

    /// Compiles `expression` on `handle`: a dead one, or a live one whose kernel quirks libpcap
    /// then takes into account (on Linux, VLAN tags that the kernel has taken out of the packet).
    init(expression: String, compiledOn handle: PcapHandle) throws(CaptureError) {
        self.expression = expression
        if handle.compile(expression, into: &program) != 0 {
            throw .invalidFilter(expression: expression, reason: handle.lastError)
        }
    }

    deinit {
        PcapHandle.free(&program)
    }

    /// Number of BPF instructions.
    public var instructionCount: Int {
        Int(program.bf_len)
    }

    /// Calls `body` with the program, valid during the call.
    func withProgram<Result, Failure: Error>(
        _ body: (UnsafeMutablePointer<bpf_program>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(&program)
    }
}
