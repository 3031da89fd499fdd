import CTapedeckLinux
import TapedeckCore

/// What an interface sends: its name, the link-layer type of the frames it takes, its MTU and the
/// length of its link-layer header, from which follows the longest frame it sends.
public struct InjectionLink: Hashable, Sendable {
    /// The interface name.
    public var interface: String
    /// The link-layer type of the frames the interface takes: Ethernet, or raw IP for an
    /// interface without a link layer (a TUN device).
    public var linkType: LinkType
    /// The interface's MTU: the longest packet it sends, without the link-layer header.
    public var mtu: Int
    /// Bytes of the link-layer header in front of each packet: 14 for Ethernet, 0 for raw IP.
    public var headerLength: Int
    /// Whether the kernel sends an 802.1Q-tagged frame 4 bytes beyond the MTU: on Ethernet
    /// devices (`ARPHRD_ETHER`), not on the loopback device.
    public var allowsVLANTag: Bool

    /// Describes an interface.
    public init(interface: String, linkType: LinkType, mtu: Int, headerLength: Int, allowsVLANTag: Bool) {
        self.interface = interface
        self.linkType = linkType
        self.mtu = mtu
        self.headerLength = headerLength
        self.allowsVLANTag = allowsVLANTag
    }

    /// The link of an interface of `ARPHRD_*` type `hardwareType` with `mtu`: Ethernet for
    /// `ARPHRD_ETHER` and `ARPHRD_LOOPBACK` (the loopback device takes Ethernet frames), raw IP for
    /// `ARPHRD_NONE`; `nil` for any other link layer.
    public init?(interface: String, hardwareType: Int32, mtu: Int) {
        switch hardwareType {
        case Int32(ARPHRD_ETHER), Int32(ARPHRD_LOOPBACK):
            self.init(interface: interface, linkType: .ethernet, mtu: mtu, headerLength: Int(ETH_HLEN),
                      allowsVLANTag: hardwareType == Int32(ARPHRD_ETHER))
        case Int32(ARPHRD_NONE):
            self.init(interface: interface, linkType: .raw, mtu: mtu, headerLength: 0, allowsVLANTag: false)
        default:
            return nil
        }
    }

    /// Whether a packet of `linkType` can go out as it is: the interface's own type, and for raw
    /// IP, any of the raw IP link types (`RAW`, `IPV4`, `IPV6`).
    @inlinable
    public func accepts(_ linkType: LinkType) -> Bool {
        if linkType == self.linkType { return true }
        return self.linkType == .raw && (linkType == .ipv4 || linkType == .ipv6)
    }

    /// The longest `frame` may be for the kernel to send it: the MTU plus the link-layer header,
    /// plus 4 bytes when ``allowsVLANTag`` and the frame's EtherType is 802.1Q (`0x8100`): the
    /// kernel's own rule (`packet_extra_vlan_len_allowed` in `net/packet/af_packet.c`).
    @inlinable
    public func maximumLength(of frame: UnsafeRawBufferPointer) -> Int {
        let limit = mtu &+ headerLength
        guard allowsVLANTag, frame.count > 13, frame[12] == 0x81, frame[13] == 0x00 else { return limit }
        return limit &+ 4
    }

    /// The longest frame the interface sends at all.
    public var largestFrame: Int {
        mtu + headerLength + (allowsVLANTag ? 4 : 0)
    }
}
