import CTapedeckLinux
@testable import TapedeckCapture
import TapedeckCore
import Testing

/// Putting back the VLAN tag the kernel takes out of received frames, on hand-made ring frames.
@Suite struct VLANReinsertionTests {
    /// An Ethernet frame: destination, source, EtherType IPv4, payload.
    static let frame: [UInt8] = [0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00] + Array(0..<50)

    /// `frame` with a tag after the MAC addresses.
    static func tagged(_ tpid: UInt16, _ tci: UInt16, _ frame: [UInt8] = frame) -> [UInt8] {
        Array(frame[..<12]) + [UInt8(tpid >> 8), UInt8(tpid & 0xFF), UInt8(tci >> 8), UInt8(tci & 0xFF)] + frame[12...]
    }

    @Test func reinsertMovesTheAddressesAndWritesTheTag() {
        let headroom = VLANTag.length
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: headroom + Self.frame.count, alignment: 16)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: [UInt8](repeating: 0xEE, count: headroom) + Self.frame)
        let start = VLANTag.reinsert(0x8100_2064, intoFrameAt: buffer.baseAddress! + headroom)
        #expect(start == buffer.baseAddress!)
        #expect(Array(buffer) == Self.tagged(0x8100, 0x2064))
    }

    /// A fake TPACKET_V3 frame: a `tpacket3_hdr` with the given status and VLAN fields, the frame at
    /// `tp_mac` = 82 (where the kernel puts an Ethernet frame: 96-byte network offset minus 14).
    final class RingFrame {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 16)
        var header: UnsafeMutablePointer<tpacket3_hdr> { buffer.baseAddress!.assumingMemoryBound(to: tpacket3_hdr.self) }

        init(frame: [UInt8], status: Int32, tpid: UInt16 = 0, tci: UInt32 = 0, snapLength: Int? = nil) {
            buffer.initializeMemory(as: UInt8.self, repeating: 0xEE)
            var header = tpacket3_hdr()
            header.tp_sec = 1_700_000_000
            header.tp_nsec = 123_456_789
            header.tp_snaplen = UInt32(snapLength ?? frame.count)
            header.tp_len = UInt32(frame.count)
            header.tp_status = UInt32(TP_STATUS_USER | status)
            header.tp_mac = 82
            header.tp_net = 96
            header.hv1.tp_vlan_tci = tci
            header.hv1.tp_vlan_tpid = tpid
            self.header.pointee = header
            UnsafeMutableRawBufferPointer(rebasing: buffer[82...]).copyBytes(from: frame.prefix(snapLength ?? frame.count))
        }

        deinit { buffer.deallocate() }

        func record(snapLength: Int = LiveCapture.maximumSnapLength) -> PacketRecord {
            TPacketFrame.record(header, snapLength: snapLength)
        }
    }

    @Test func untaggedFrameIsReturnedAsIs() {
        let ring = RingFrame(frame: Self.frame, status: 0)
        let record = ring.record()
        #expect(Array(record.bytes) == Self.frame)
        #expect(record.originalLength == UInt32(Self.frame.count))
        #expect(record.timestamp == Timestamp(seconds: 1_700_000_000, nanoseconds: 123_456_789))
        #expect(record.linkType == .ethernet)
    }

    @Test func tagWithoutATPIDIsAn8021QTag() {
        let ring = RingFrame(frame: Self.frame, status: TP_STATUS_VLAN_VALID, tci: 0x2064)
        let record = ring.record()
        #expect(Array(record.bytes) == Self.tagged(0x8100, 0x2064))
        #expect(record.originalLength == UInt32(Self.frame.count + 4))
    }

    @Test func tagKeepsItsTPID() {
        let ring = RingFrame(frame: Self.frame, status: TP_STATUS_VLAN_VALID | TP_STATUS_VLAN_TPID_VALID,
                             tpid: 0x88A8, tci: 0x0FFE)
        #expect(Array(ring.record().bytes) == Self.tagged(0x88A8, 0x0FFE))
    }

    /// VLAN 0 with priority 0 is still a tag when the kernel says so.
    @Test func zeroTCIIsATagWhenFlagged() {
        let ring = RingFrame(frame: Self.frame, status: TP_STATUS_VLAN_VALID | TP_STATUS_VLAN_TPID_VALID, tpid: 0x8100)
        #expect(Array(ring.record().bytes) == Self.tagged(0x8100, 0))
    }

    /// Kernels before 3.0 set no flag; a non-zero TCI is a tag then (libpcap's rule).
    @Test func nonZeroTCIWithoutFlagIsATag() {
        let ring = RingFrame(frame: Self.frame, status: 0, tci: 7)
        #expect(Array(ring.record().bytes) == Self.tagged(0x8100, 7))
    }

    /// The inner tag of a QinQ frame stays in the frame; the outer one goes back in front of it.
    @Test func outerTagGoesBackInFrontOfTheInnerOne() {
        let inner = Self.tagged(0x8100, 200)
        let ring = RingFrame(frame: inner, status: TP_STATUS_VLAN_VALID | TP_STATUS_VLAN_TPID_VALID, tpid: 0x88A8, tci: 100)
        #expect(Array(ring.record().bytes) == Self.tagged(0x88A8, 100, inner))
    }

    @Test func tagCountsTowardsTheSnapLength() {
        let ring = RingFrame(frame: Self.frame, status: TP_STATUS_VLAN_VALID, tci: 5, snapLength: 40)
        let record = ring.record(snapLength: 40)
        #expect(Array(record.bytes) == Array(Self.tagged(0x8100, 5).prefix(40)))
        #expect(record.originalLength == UInt32(Self.frame.count + 4))
    }

    /// A frame cut before the end of the MAC addresses has nowhere to put a tag.
    @Test func frameShorterThanTheAddressesIsLeftAlone() {
        let ring = RingFrame(frame: Self.frame, status: TP_STATUS_VLAN_VALID, tci: 5, snapLength: 10)
        let record = ring.record()
        #expect(Array(record.bytes) == Array(Self.frame.prefix(10)))
        #expect(record.originalLength == UInt32(Self.frame.count))
    }
}
