import CTapedeckLinux
import TapedeckCore

/// One packet in a TPACKET_V3 block: a `tpacket3_hdr`, then, `tp_mac` bytes from its start, the
/// frame as received.
enum TPacketFrame {
    /// The record for the packet whose header is at `header`: time stamp `tp_sec`/`tp_nsec`,
    /// original length `tp_len`, captured bytes `tp_snaplen` from `tp_mac`, with the VLAN tag the
    /// kernel took out put back in place (both lengths grow by 4), and cut to `snapLength`.
    @inline(__always)
    static func record(_ header: UnsafeMutablePointer<tpacket3_hdr>, snapLength: Int) -> PacketRecord {
        var frame = UnsafeMutableRawPointer(header) + Int(header.pointee.tp_mac)
        var captured = Int(header.pointee.tp_snaplen)
        var original = header.pointee.tp_len
        let tag = tapedeck_tpacket3_vlan_tag(header)
        if tag != 0, captured >= VLANTag.offset {
            frame = VLANTag.reinsert(tag, intoFrameAt: frame)
            captured += VLANTag.length
            original += UInt32(VLANTag.length)
        }
        return PacketRecord(
            timestamp: Timestamp(seconds: Int64(header.pointee.tp_sec), nanoseconds: Int64(header.pointee.tp_nsec)),
            originalLength: original,
            linkType: .ethernet,
            bytes: UnsafeRawBufferPointer(start: frame, count: min(captured, snapLength))
        )
    }
}
