import CPcap

/// The libpcap calls that compile capture filters, one wrapper each.
extension PcapHandle {
    /// A handle that captures nothing, for compiling filters for `dataLink` (a `DLT_*` value) and
    /// snapshot length `snapLength` (`pcap_open_dead`); `nil` when libpcap is out of memory.
    static func openDead(dataLink: Int32, snapLength: Int) -> PcapHandle? {
        pcap_open_dead(dataLink, Int32(snapLength)).map(PcapHandle.init(pointer:))
    }

    /// Compiles `expression` into `program`, optimised and without a netmask (`pcap_compile`
    /// with `PCAP_NETMASK_UNKNOWN`); 0 on success, `PCAP_ERROR` with ``lastError`` set otherwise.
    func compile(_ expression: String, into program: inout bpf_program) -> Int32 {
        pcap_compile(pointer, &program, expression, 1, PCAP_NETMASK_UNKNOWN)
    }

    /// Frees the instructions of a compiled program (`pcap_freecode`).
    static func free(_ program: inout bpf_program) {
        pcap_freecode(&program)
    }
}
