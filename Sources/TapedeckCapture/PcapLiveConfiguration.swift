/// How a ``PcapLiveSource`` captures. Every property documents its default.
public struct PcapLiveConfiguration: Hashable, Sendable {
    /// The interface to capture on, e.g. `"eth0"`; any interface libpcap can open.
    public var interface: String

    /// Bytes of libpcap's kernel buffer, on Linux its TPACKET_V3 ring (`pcap_set_buffer_size`),
    /// 1 MiB…2 GiB. Default 64 MiB, as for ``AFPacketConfiguration/ringSize``; libpcap's own
    /// default is 2 MiB.
    public var bufferSize = 64 << 20

    /// Milliseconds after which the kernel hands over a block that is not full yet
    /// (`pcap_set_timeout`, on Linux the TPACKET_V3 block timeout), 1…10 000. Default 100, as for
    /// ``AFPacketConfiguration/blockTimeoutMilliseconds``.
    public var blockTimeoutMilliseconds = 100

    /// Bytes kept of each packet (`pcap_set_snaplen`), 1…``LiveCapture/maximumSnapLength``.
    /// Default ``LiveCapture/maximumSnapLength``.
    public var snapLength = LiveCapture.maximumSnapLength

    /// Whether to put the interface in promiscuous mode (`pcap_set_promisc`). Default `true`.
    public var promiscuous = true

    /// A capture filter in tcpdump's syntax, compiled for the open interface and installed with
    /// `pcap_setfilter` (in the kernel on Linux, with libpcap's handling of VLAN tags the kernel
    /// took out, so `vlan 10` works); `nil` keeps every packet. Default `nil`.
    public var filter: String?

    /// A configuration for `interface` with every other property at its default.
    public init(interface: String) {
        self.interface = interface
    }

    /// Checks every property against the limits above.
    ///
    /// - Throws: ``CaptureError/invalidConfiguration(reason:)`` naming the first bad property.
    public func validate() throws(CaptureError) {
        try LiveCapture.validate(interface: interface, snapLength: snapLength,
                                 blockTimeoutMilliseconds: blockTimeoutMilliseconds)
        if !((1 << 20)...Int(Int32.max)).contains(bufferSize) {
            throw .invalidConfiguration(reason: "buffer size \(bufferSize) must be 1 MiB to 2 GiB")
        }
    }
}
