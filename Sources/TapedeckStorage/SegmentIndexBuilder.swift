import TapedeckCore

/// Builds a segment's index from its blocks' keys (gathered where the blocks were filled, see
/// ``BlockKeys``) and block table entries, and serialises it when the segment is sealed.
struct SegmentIndexBuilder {
    private(set) var blocks: [BlockInfo] = []
    private(set) var totals = SegmentTotals()
    private var flows = KeyColumn<UInt64>()
    private var ipv4 = KeyColumn<UInt32>()
    private var ipv6 = KeyColumn<IPv6Key>()
    private var ports = KeyColumn<UInt16>()
    private var protocols = KeyColumn<UInt8>()
    private var vlans = KeyColumn<UInt16>()
    private var mplsLabels = KeyColumn<UInt32>()
    private var lastTimestamp = Int64.min

    /// Adds a block written at `info.offset` with its finished keys.
    mutating func addBlock(_ info: BlockInfo, keys: BlockKeys) {
        let number = UInt32(blocks.count)
        flows.append(keys.flows, block: number)
        ipv4.append(keys.ipv4, block: number)
        ipv6.append(keys.ipv6, block: number)
        ports.append(keys.ports, block: number)
        protocols.append(keys.protocols, block: number)
        vlans.append(keys.vlans, block: number)
        mplsLabels.append(keys.mplsLabels, block: number)
        let block = keys.totals
        if !block.isTimeOrdered || keys.firstTime < lastTimestamp { totals.isTimeOrdered = false }
        lastTimestamp = keys.lastTime
        totals.earliest = min(totals.earliest, block.earliest)
        totals.latest = max(totals.latest, block.latest)
        totals.packets += block.packets
        totals.capturedBytes += block.capturedBytes
        totals.originalBytes += block.originalBytes
        blocks.append(info)
    }

    /// Indexes a block read back from a data file (its uncompressed payload).
    mutating func addBlock(_ info: BlockInfo, payload: UnsafeRawBufferPointer) throws {
        var keys = BlockKeys()
        _ = try PacketPayload.forEachPacket(in: payload, linkType: info.linkType, expectedCount: info.packetCount) { record in
            keys.add(record)
            return true
        }
        keys.finish()
        addBlock(info, keys: keys)
    }

    /// The index file's bytes for a segment `segmentID` whose data file is `dataLength` bytes.
    mutating func serialize(segmentID: UInt64, dataLength: Int64) -> [UInt8] {
        let sectionCount = IndexSection.allCases.count
        var body = LittleEndianWriter()
        // Section directory placeholder, then the block table, then the sections.
        let directoryStart = IndexFileLayout.headerSize
        body.appendZeros(IndexFileLayout.headerSize + sectionCount * IndexFileLayout.directoryEntrySize)
        for block in blocks { block.encode(into: &body) }
        var directory: [(IndexSection, Int, Int, Int)] = []
        func section<Key>(_ kind: IndexSection, _ column: inout KeyColumn<Key>) {
            body.align(to: 8)
            let offset = body.bytes.count
            column.serialize(into: &body)
            directory.append((kind, KeyColumn<Key>.entryWidth, offset, column.entries.count))
        }
        section(.flow, &flows)
        section(.ipv4, &ipv4)
        section(.ipv6, &ipv6)
        section(.port, &ports)
        section(.ipProtocol, &protocols)
        section(.vlan, &vlans)
        section(.mpls, &mplsLabels)

        var header = LittleEndianWriter(capacity: IndexFileLayout.headerSize)
        header.append(IndexFileLayout.magic)
        header.append(IndexFileLayout.version)
        header.appendZeros(7)
        header.append(segmentID)
        header.append(totals.packets == 0 ? 0 : totals.earliest)
        header.append(totals.packets == 0 ? 0 : totals.latest)
        header.append(totals.packets)
        header.append(totals.capturedBytes)
        header.append(totals.originalBytes)
        header.append(dataLength)
        header.append(UInt32(blocks.count))
        header.append(totals.isTimeOrdered ? IndexFileLayout.timeOrderedFlag : 0)
        header.append(UInt32(sectionCount))
        header.append(UInt32(0))  // CRC, filled below
        header.appendZeros(IndexFileLayout.headerSize - header.bytes.count)
        var directoryBytes = LittleEndianWriter()
        for (kind, width, offset, count) in directory {
            directoryBytes.append(kind.rawValue)
            directoryBytes.append(UInt32(width))
            directoryBytes.append(UInt64(offset))
            directoryBytes.append(UInt64(count))
        }
        body.bytes.replaceSubrange(0..<IndexFileLayout.headerSize, with: header.bytes)
        body.bytes.replaceSubrange(directoryStart..<directoryStart + directoryBytes.bytes.count, with: directoryBytes.bytes)
        let crc = body.bytes.withUnsafeBytes { raw in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[IndexFileLayout.headerSize...]))
        }
        body.bytes.withUnsafeMutableBytes { $0.baseAddress!.storeLittleEndian(crc, at: 84) }
        return body.bytes
    }
}
