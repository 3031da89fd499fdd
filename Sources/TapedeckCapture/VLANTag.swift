/// Puts back the 802.1Q tag the kernel takes out of a received Ethernet frame (it keeps the tag in
/// the packet's metadata, `tp_vlan_tci`), so that a stored frame is the frame on the wire
/// (Stenographer issue #211).
enum VLANTag {
    /// Bytes before the tag: the destination and source MAC addresses.
    static let offset = 12
    /// Bytes of a tag: TPID and TCI.
    static let length = 4

    /// Writes `tag` (`TPID << 16 | TCI`) into the frame at `frame`, in place: moves the two MAC
    /// addresses `length` bytes towards the start and puts the tag, in network byte order, between
    /// them and the EtherType. The `length` bytes before `frame` must be free to overwrite; in a
    /// TPACKET_V3 ring they are, since the kernel puts the frame at least a `sockaddr_ll` past the
    /// `tpacket3_hdr`, and libpcap reinserts tags the same way. The frame must have at least
    /// ``offset`` bytes.
    ///
    /// - Returns: the start of the tagged frame, `length` bytes before `frame`.
    @inline(__always)
    static func reinsert(_ tag: UInt32, intoFrameAt frame: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
        let tagged = frame - length
        tagged.copyMemory(from: frame, byteCount: offset)
        tagged.storeBytes(of: tag.bigEndian, toByteOffset: offset, as: UInt32.self)
        return tagged
    }
}
