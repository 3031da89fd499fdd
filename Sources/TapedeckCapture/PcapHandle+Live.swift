import CPcap

/// The libpcap calls of a live capture, one wrapper each. Setters return libpcap's status (0 on
/// success), and ``message(for:)`` turns a failed one into text; calls that report failure in an
/// error buffer throw its message.
extension PcapHandle {
    /// Creates an inactive handle for `interface` (`pcap_create`).
    static func create(interface: String) throws(PcapFailure) -> PcapHandle {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let pointer = pcap_create(interface, &errbuf) else {
            throw PcapFailure(errbuf)
        }
        return PcapHandle(pointer: pointer)
    }

    /// Sets the snapshot length (`pcap_set_snaplen`).
    func setSnapLength(_ length: Int) -> Int32 {
        pcap_set_snaplen(pointer, Int32(length))
    }

    /// Turns promiscuous mode on or off (`pcap_set_promisc`).
    func setPromiscuous(_ on: Bool) -> Int32 {
        pcap_set_promisc(pointer, on ? 1 : 0)
    }

    /// Sets the packet buffer timeout, on Linux the TPACKET_V3 block timeout (`pcap_set_timeout`).
    func setTimeout(milliseconds: Int) -> Int32 {
        pcap_set_timeout(pointer, Int32(milliseconds))
    }

    /// Sets the size of the kernel buffer, on Linux the ring (`pcap_set_buffer_size`).
    func setBufferSize(_ bytes: Int) -> Int32 {
        pcap_set_buffer_size(pointer, Int32(clamping: bytes))
    }

    /// Asks for nanosecond time stamps (`pcap_set_tstamp_precision` with `PCAP_TSTAMP_PRECISION_NANO`).
    func setNanosecondPrecision() -> Int32 {
        pcap_set_tstamp_precision(pointer, Int32(PCAP_TSTAMP_PRECISION_NANO))
    }

    /// Starts the capture (`pcap_activate`): 0 on success, a positive `PCAP_WARNING_*` when it
    /// started with a caveat, a negative `PCAP_ERROR_*` when it did not.
    func activate() -> Int32 {
        pcap_activate(pointer)
    }

    /// Makes ``next()`` return at once when no packet is ready (`pcap_setnonblock`).
    func setNonBlocking() throws(PcapFailure) {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        if pcap_setnonblock(pointer, 1, &errbuf) != 0 {
            throw PcapFailure(errbuf)
        }
    }

    /// A descriptor that polls readable when packets are ready (`pcap_get_selectable_fd`).
    var selectableDescriptor: Int32 {
        pcap_get_selectable_fd(pointer)
    }

    /// Installs `program` as the capture filter, in the kernel where it can (`pcap_setfilter`).
    func setFilter(_ program: BPFProgram) -> Int32 {
        program.withProgram { pcap_setfilter(pointer, $0) }
    }

    /// The capture's counters (`pcap_stats`); `nil` when libpcap cannot read them.
    func statistics() -> pcap_stat? {
        var stats = pcap_stat()
        return pcap_stats(pointer, &stats) == 0 ? stats : nil
    }

    /// What a failed `status` means: libpcap's text for it (`pcap_statustostr`), followed by the
    /// handle's message (`pcap_geterr`) when the status comes with one.
    func message(for status: Int32) -> String {
        let text = String(cString: pcap_statustostr(status))
        let detail = lastError
        return detail.isEmpty || detail == text ? text : "\(text): \(detail)"
    }
}

/// libpcap's message for a call that reports failure in an error buffer (`errbuf`) rather than
/// on the handle.
struct PcapFailure: Error {
    var message: String

    init(_ errbuf: [CChar]) {
        message = errbuf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
