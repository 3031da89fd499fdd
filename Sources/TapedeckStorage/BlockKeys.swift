import TapedeckCore

/// The index keys and totals of one block, gathered on the thread that fills the block (each
/// packet is decoded once, there) and sorted and de-duplicated when the block is closed, so that
/// the writer thread only merges them into the segment's index.
struct BlockKeys {
    var flows: [UInt64] = []
    var ipv4: [UInt32] = []
    var ipv6: [IPv6Key] = []
    var ports: [UInt16] = []
    var protocols: [UInt8] = []
    var vlans: [UInt16] = []
    var mplsLabels: [UInt32] = []
    /// Packets, bytes, earliest/latest time, and whether the block is in time order.
    var totals = SegmentTotals()
    /// Times of the first and last packet in stored order.
    var firstTime = Int64.min
    var lastTime = Int64.min

    /// Notes one packet's keys and totals.
    @inline(__always)
    mutating func add(_ record: PacketRecord) {
        let time = record.timestamp.nanoseconds
        if totals.packets == 0 { firstTime = time } else if time < lastTime { totals.isTimeOrdered = false }
        lastTime = time
        totals.earliest = min(totals.earliest, time)
        totals.latest = max(totals.latest, time)
        totals.packets += 1
        totals.capturedBytes += UInt64(record.bytes.count)
        totals.originalBytes += UInt64(record.originalLength)

        let packet = PacketDecoder.decode(record.bytes, linkType: record.linkType)
        for index in 0..<min(Int(packet.vlanCount), DecodedPacket.maxVLANs) { BlockKeys.note(packet.vlanID(at: index), in: &vlans) }
        for index in 0..<min(Int(packet.mplsCount), DecodedPacket.maxMPLSLabels) {
            BlockKeys.note(packet.mplsLabel(at: index), in: &mplsLabels)
        }
        guard packet.network != .none else { return }
        if packet.network == .ipv4 {
            BlockKeys.note(UInt32(truncatingIfNeeded: packet.source.low), in: &ipv4)
            BlockKeys.note(UInt32(truncatingIfNeeded: packet.destination.low), in: &ipv4)
        } else {
            BlockKeys.note(IPv6Key(packet.source), in: &ipv6)
            BlockKeys.note(IPv6Key(packet.destination), in: &ipv6)
        }
        guard packet.hasIPProtocol else { return }
        BlockKeys.note(packet.ipProtocol, in: &protocols)
        if packet.firstNextHeader != packet.ipProtocol { BlockKeys.note(packet.firstNextHeader, in: &protocols) }
        if packet.hasPorts {
            BlockKeys.note(packet.sourcePort, in: &ports)
            BlockKeys.note(packet.destinationPort, in: &ports)
        }
        if let tuple = packet.fiveTuple { BlockKeys.note(tuple.flowKey.stableHash, in: &flows) }
    }

    /// Appends `key` unless it repeats the last one (most consecutive packets share keys).
    @inline(__always)
    private static func note<Key: Equatable>(_ key: Key, in keys: inout [Key]) {
        if keys.last != key { keys.append(key) }
    }

    /// Sorts and de-duplicates every key list; called once, when the block is closed.
    mutating func finish() {
        BlockKeys.sortUnique(&flows)
        BlockKeys.sortUnique(&ipv4)
        BlockKeys.sortUnique(&ipv6)
        BlockKeys.sortUnique(&ports)
        BlockKeys.sortUnique(&protocols)
        BlockKeys.sortUnique(&vlans)
        BlockKeys.sortUnique(&mplsLabels)
    }

    private static func sortUnique<Key: Comparable>(_ keys: inout [Key]) {
        guard keys.count > 1 else { return }
        keys.sort()
        var kept = 1
        for index in 1..<keys.count where keys[index] != keys[kept - 1] {
            keys[kept] = keys[index]
            kept += 1
        }
        keys.removeLast(keys.count - kept)
    }

    /// Empties the lists, keeping their storage for the next block.
    mutating func reset() {
        flows.removeAll(keepingCapacity: true)
        ipv4.removeAll(keepingCapacity: true)
        ipv6.removeAll(keepingCapacity: true)
        ports.removeAll(keepingCapacity: true)
        protocols.removeAll(keepingCapacity: true)
        vlans.removeAll(keepingCapacity: true)
        mplsLabels.removeAll(keepingCapacity: true)
        totals = SegmentTotals()
        firstTime = .min
        lastTime = .min
    }
}
