import TapedeckCore

/// Builds a segment's index: decodes every packet once as it is stored (``add(_:)``), notes
/// its keys per block (``closeBlock()``), and serialises the sorted sections with the block table
/// when the segment is sealed. While recording, keys are gathered on the appending thread and
/// the block table (which needs the compressed sizes) on the writer thread.
struct SegmentIndexBuilder {
    private(set) var blocks: [BlockInfo] = []
    /// Blocks whose keys are complete.
    private(set) var closedBlocks: UInt32 = 0
    private(set) var totals = SegmentTotals()
    private var flows = KeyColumn<UInt64>()
    private var ipv4 = KeyColumn<UInt32>()
    private var ipv6 = KeyColumn<IPv6Key>()
    private var ports = KeyColumn<UInt16>()
    private var protocols = KeyColumn<UInt8>()
    private var vlans = KeyColumn<UInt16>()
    private var mplsLabels = KeyColumn<UInt32>()
    private var lastTimestamp = Int64.min

    /// Indexes the packets of one block read back from a data file (its uncompressed payload),
    /// written at `info.offset`: keys and block table entry at once.
    mutating func addBlock(_ info: BlockInfo, payload: UnsafeRawBufferPointer) throws {
        _ = try PacketPayload.forEachPacket(in: payload, linkType: info.linkType, expectedCount: info.packetCount) { record in
            add(record)
            return true
        }
        closeBlock()
        blocks.append(info)
    }

    /// Uses `table` as the block table; it must have one entry per closed block.
    mutating func setBlockTable(_ table: [BlockInfo]) {
        blocks = table
    }

    /// Ends the current block: the keys added since the last call belong to block ``closedBlocks``.
    mutating func closeBlock() {
        let blockNumber = closedBlocks
        closedBlocks += 1
        flows.closeBlock(blockNumber)
        ipv4.closeBlock(blockNumber)
        ipv6.closeBlock(blockNumber)
        ports.closeBlock(blockNumber)
        protocols.closeBlock(blockNumber)
        vlans.closeBlock(blockNumber)
        mplsLabels.closeBlock(blockNumber)
    }

    /// Adds one packet of the current block: totals, and its keys.
    @inline(__always)
    mutating func add(_ record: PacketRecord) {
        let time = record.timestamp.nanoseconds
        if time < lastTimestamp { totals.isTimeOrdered = false }
        lastTimestamp = time
        totals.earliest = min(totals.earliest, time)
        totals.latest = max(totals.latest, time)
        totals.packets += 1
        totals.capturedBytes += UInt64(record.bytes.count)
        totals.originalBytes += UInt64(record.originalLength)

        let packet = PacketDecoder.decode(record.bytes, linkType: record.linkType)
        for index in 0..<min(Int(packet.vlanCount), DecodedPacket.maxVLANs) { vlans.add(packet.vlanID(at: index)) }
        for index in 0..<min(Int(packet.mplsCount), DecodedPacket.maxMPLSLabels) { mplsLabels.add(packet.mplsLabel(at: index)) }
        guard packet.network != .none else { return }
        if packet.network == .ipv4 {
            ipv4.add(UInt32(truncatingIfNeeded: packet.source.low))
            ipv4.add(UInt32(truncatingIfNeeded: packet.destination.low))
        } else {
            ipv6.add(IPv6Key(packet.source))
            ipv6.add(IPv6Key(packet.destination))
        }
        guard packet.hasIPProtocol else { return }
        protocols.add(packet.ipProtocol)
        if packet.firstNextHeader != packet.ipProtocol { protocols.add(packet.firstNextHeader) }
        if packet.hasPorts {
            ports.add(packet.sourcePort)
            ports.add(packet.destinationPort)
        }
        if let tuple = packet.fiveTuple { flows.add(tuple.flowKey.stableHash) }
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
