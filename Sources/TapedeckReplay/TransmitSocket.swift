import CTapedeckLinux
import TapedeckPOSIX

#if canImport(Glibc)
import Glibc
#endif

/// An `AF_PACKET` raw socket for sending, bound to one interface. A plain value; its owner
/// (``AFPacketInjector``, or ``PcapInjector`` to read the link) calls ``close()``.
///
/// The socket is bound with protocol 0, so it receives nothing: it only sends, whole frames
/// (link-layer header included) as they are given; the kernel reads each frame's protocol from
/// its header.
struct TransmitSocket {
    let socket: Socket
    /// The interface it is bound to.
    let interface: String

    /// Opens a raw packet socket (`socket(AF_PACKET, SOCK_RAW, 0)`) and binds it to `interface`
    /// with protocol 0.
    static func open(interface: String) throws(Errno) -> TransmitSocket {
        let index = try NetworkInterface.index(named: interface)
        let socket = try Socket.open(domain: AF_PACKET, type: Int32(SOCK_RAW.rawValue), protocol: 0)
        do {
            var address = sockaddr_ll()
            address.sll_family = UInt16(AF_PACKET)
            address.sll_ifindex = index
            try socket.bind(to: address, description: "interface \(interface) (\(index)), protocol 0")
        } catch {
            try? socket.close()
            throw error
        }
        return TransmitSocket(socket: socket, interface: interface)
    }

    /// Closes the socket.
    func close() {
        try? socket.close()
    }

    /// What the bound interface sends: its `ARPHRD_*` type (`sll_hatype` from `getsockname`) and
    /// its MTU (`SIOCGIFMTU`).
    ///
    /// - Throws: ``ReplayError/system(interface:_:)`` when a call fails,
    ///   ``ReplayError/cannotInject(interface:reason:)`` for a link layer other than Ethernet,
    ///   loopback or none (TUN).
    func link() throws(ReplayError) -> InjectionLink {
        var address = sockaddr_ll()
        let mtu: Int
        do {
            try socket.localAddress(into: &address)
            mtu = try socket.interfaceMTU(interface)
        } catch {
            throw .system(interface: interface, error)
        }
        guard let link = InjectionLink(interface: interface, hardwareType: Int32(address.sll_hatype), mtu: mtu) else {
            throw .cannotInject(interface: interface, reason: "its link layer (ARPHRD type \(address.sll_hatype)) is not"
                + " Ethernet, loopback or none (TUN); frames cannot be sent on it as captured")
        }
        return link
    }
}
