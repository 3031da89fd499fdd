import TapedeckCore
import Testing
@testable import TapedeckStorage

/// Index lookups against the ground truth: the blocks whose packets, decoded, carry the key.
@Suite struct IndexLookupTests {
    private func store(_ packets: [TestPacket]) throws -> (TemporaryDirectory, SegmentReader) {
        let directory = TemporaryDirectory()
        var configuration = StoreWriter.Configuration()
        configuration.blockSize = 4 << 10
        try writeStore(packets, directory: directory.path, configuration: configuration)
        let segment = try #require(try StoreReader(directory: directory.path).openSegments(overlapping: .all).first)
        return (directory, segment)
    }

    /// Blocks holding a packet for which `predicate` holds, found by reading every block.
    private func truth(_ segment: SegmentReader, _ predicate: (DecodedPacket, PacketRecord) -> Bool) throws -> [Int] {
        var blocks: [Int] = []
        for number in 0..<segment.blockCount {
            var hit = false
            try segment.forEachPacket(inBlock: number) { record in
                hit = hit || predicate(PacketDecoder.decode(record.bytes, linkType: record.linkType), record)
                return !hit
            }
            if hit { blocks.append(number) }
        }
        return blocks
    }

    @Test func addressPortProtocolAndFlowLookupsFindExactlyTheBlocksThatHoldTheKey() throws {
        let packets = sampleTraffic(count: 2000)
        let (directory, segment) = try store(packets)
        defer { directory.remove() }
        #expect(segment.blockCount > 50)
        for host in [UInt32(0x0A00_0001), 0x0A00_0005, 0xC0A8_0003] {
            let address = IPAddress(ipv4: host)
            #expect(segment.blocks(addressesIn: address...address).numbers
                == (try truth(segment) { packet, _ in packet.source == address || packet.destination == address }))
        }
        let net = IPAddress(ipv4: 0x0A00_0000).prefixRange(length: 29)  // 10.0.0.0–10.0.0.7
        #expect(segment.blocks(addressesIn: net).numbers
            == (try truth(segment) { packet, _ in net.contains(packet.source) || net.contains(packet.destination) }))
        for port: UInt16 in [443, 40003, 40010, 9] {
            #expect(segment.blocks(port: port).numbers
                == (try truth(segment) { packet, _ in packet.hasPorts && (packet.sourcePort == port || packet.destinationPort == port) }))
        }
        #expect(segment.blocks(ipProtocol: 6).count == segment.blockCount)
        #expect(segment.blocks(ipProtocol: 17).isEmpty)
        let flow = FiveTuple(ipProtocol: 6, source: IPAddress(ipv4: 0xC0A8_0002), destination: IPAddress(ipv4: 0x0A00_0003),
                             sourcePort: 443, destinationPort: 40004).flowKey
        let flowBlocks = try truth(segment) { packet, _ in packet.fiveTuple?.flowKey == flow }
        #expect(!flowBlocks.isEmpty)
        #expect(segment.blocks(flow: flow).numbers == flowBlocks)
    }

    @Test func timeLookupUsesBlockRanges() throws {
        let packets = sampleTraffic(count: 500, step: 1_000_000)
        let (directory, segment) = try store(packets)
        defer { directory.remove() }
        let start = Timestamp(nanoseconds: packets[200].time)
        let end = Timestamp(nanoseconds: packets[300].time)
        let window = TimeWindow(start: start, end: end)
        #expect(segment.blocks(overlapping: window).numbers
            == (try truth(segment) { _, record in window.contains(record.timestamp) }))
    }

    @Test func vlanMPLSAndIPv6KeysAreIndexed() throws {
        // 802.1Q VLAN 42 around IPv4/UDP; MPLS label 1000 around IPv4; Ethernet IPv6/TCP.
        let vlanUDP: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x81, 0x00, 0x00, 42, 0x08, 0x00,
                                0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
                                0x00, 53, 0x30, 0x39, 0, 8, 0, 0]
        let mpls: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x88, 0x47, 0x00, 0x3E, 0x81, 64,
                             0x45, 0, 0, 20, 0, 0, 0, 0, 64, 1, 0, 0, 9, 9, 9, 9, 8, 8, 8, 8]
        var ipv6TCP: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x86, 0xDD, 0x60, 0, 0, 0, 0, 20, 6, 64]
        ipv6TCP += [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1]
        ipv6TCP += [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [2]
        ipv6TCP += [0x01, 0xBB, 0xC3, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xFF, 0xFF, 0, 0, 0, 0]
        var packets = sampleTraffic(count: 600)
        packets[100].bytes = vlanUDP
        packets[300].bytes = mpls
        packets[500].bytes = ipv6TCP
        let (directory, segment) = try store(packets)
        defer { directory.remove() }
        #expect(segment.blocks(vlan: 42).count == 1)
        #expect(segment.blocks(vlan: 43).isEmpty)
        #expect(segment.blocks(mplsLabel: 1000).count == 1)
        #expect(segment.blocks(ipProtocol: 17).count == 1)
        #expect(segment.blocks(port: 53).count == 1)
        let v6 = IPAddress("2001:db8::2")!
        #expect(segment.blocks(addressesIn: v6...v6).count == 1)
        #expect(segment.blocks(addressesIn: IPAddress("2001:db8::")!.prefixRange(length: 32)).count == 1)
        #expect(segment.blocks(addressesIn: IPAddress("2001:db9::")!.prefixRange(length: 32)).isEmpty)
    }
}
