import TapedeckCore

/// Everything the tracker keeps about one flow: identity, the chunk being filled, TCP state,
/// and its place in the table's activity lists.
struct FlowState {
    /// The canonical 5-tuple (the table key).
    var key: FlowKey
    /// The table index's hash of `key`.
    var keyHash: UInt64 = 0
    /// Whether the client is the canonical tuple's source.
    var clientIsCanonicalSource: Bool
    /// The flow id.
    var id: FlowID
    /// Capture time of the first packet.
    var start: Timestamp
    /// The caller's position of the first packet (see ``FlowTracker/process(_:origin:into:)``).
    var origin: UInt64 = 0
    /// Whether the flow is TCP (and ``tcp`` is followed).
    var isTCP: Bool
    /// The packets of the chunk being filled.
    var packets: FlowPackets
    /// Index of the chunk being filled.
    var chunkIndex: UInt32 = 0
    /// Earliest capture time in the chunk being filled.
    var chunkFirst: Timestamp
    /// Latest capture time in the chunk being filled.
    var chunkLast: Timestamp
    /// Packets of the flow so far.
    var packetCount = 0
    /// Captured bytes of the flow so far.
    var capturedByteCount = 0
    /// Whether the flow filled a chunk (its next chunks start with a full-size page).
    var isBulk = false
    /// TCP state; unused for other protocols.
    var tcp = TCPConnection()

    /// The tracker's clock (nanoseconds) when the flow last had a packet.
    var activity: Int64 = 0
    /// The activity list the flow is in.
    var activityClass = ActivityClass.other
    /// The next older flow in that list (a slot, -1 for none).
    var older: Int32 = -1
    /// The next newer flow in that list (a slot, -1 for none).
    var newer: Int32 = -1
    /// Whether the flow is in the table's buffer list (it holds buffered packets).
    var isBuffered = false
    /// The next older flow in the buffer list (a slot, -1 for none).
    var olderBuffered: Int32 = -1
    /// The next newer flow in the buffer list (a slot, -1 for none).
    var newerBuffered: Int32 = -1

    /// Memory accounted per flow besides its buffers: this state, its slab slot's share of the
    /// slab's spare capacity, and its index entries.
    static let fixedCost = 2 * MemoryLayout<FlowState>.stride + FlowIndex.bytesPerFlow

    /// A new flow whose first packet, sent by the canonical source when `fromCanonicalSource`, is
    /// `record`; `segment` is its TCP segment if it has one.
    init(key: FlowKey, record: PacketRecord, fromCanonicalSource: Bool, isTCP: Bool, segment: TCPSegment?) {
        self.key = key
        // The client sent the SYN, or received the SYN-ACK; without either, it sent the first packet.
        let sentByServer = segment.map { $0.isSYN && $0.isACK } ?? false
        clientIsCanonicalSource = fromCanonicalSource != sentByServer
        id = FlowID(key: key, firstPacket: record.timestamp)
        start = record.timestamp
        self.isTCP = isTCP
        packets = FlowPackets(linkType: record.linkType)
        chunkFirst = record.timestamp
        chunkLast = record.timestamp
    }

    /// The 5-tuple from client to server.
    var clientTuple: FiveTuple {
        let tuple = key.canonical
        if clientIsCanonicalSource { return tuple }
        return FiveTuple(ipProtocol: tuple.ipProtocol, source: tuple.destination, destination: tuple.source,
                         sourcePort: tuple.destinationPort, destinationPort: tuple.sourcePort)
    }

    /// The direction of a packet sent by the canonical source when `fromCanonicalSource`.
    @inline(__always)
    func direction(fromCanonicalSource: Bool) -> FlowDirection {
        fromCanonicalSource == clientIsCanonicalSource ? .clientToServer : .serverToClient
    }

    /// Memory accounted to the flow.
    var memoryCost: Int { Self.fixedCost + packets.memoryCost + (isTCP ? tcp.memoryCost : 0) }

    /// The activity class the flow's state puts it in.
    var currentActivityClass: ActivityClass {
        guard isTCP else { return key.canonical.ipProtocol == 17 ? .udp : .other }
        if tcp.endReason != nil { return .tcpClosed }
        return tcp.bothFINsSeen ? .tcpClosing : .tcpEstablished
    }

    /// How the TCP connection ended: ``CloseReason/rst``, or ``CloseReason/fin`` (also when
    /// both FINs were seen without the final ACK); nil while it has not, and for other protocols.
    var endedReason: CloseReason? {
        guard isTCP else { return nil }
        return tcp.endReason ?? (tcp.bothFINsSeen ? .fin : nil)
    }

    /// Why the flow ends when its activity class times out.
    var timeoutReason: CloseReason {
        switch activityClass {
        case .tcpClosed: tcp.endReason ?? .idle
        case .tcpClosing: .fin
        case .tcpEstablished, .udp, .other: .idle
        }
    }

    /// Whether adding `record` to the chunk being filled would take it past `limit` bytes of pcap
    /// (or change its link type); never for an empty chunk.
    func chunkIsFull(for record: PacketRecord, limit: Int) -> Bool {
        guard !packets.isEmpty else { return false }
        if record.linkType != packets.linkType { return true }
        return FlowPackets.pcapHeaderSize + packets.storageByteCount + FlowPackets.recordHeaderSize + record.bytes.count > limit
    }

    /// Copies `record` into the chunk being filled and returns where its captured bytes are.
    mutating func append(_ record: PacketRecord, chunkLimit: Int) -> StoredBytes {
        if packets.isEmpty {
            packets = FlowPackets(linkType: record.linkType)
            chunkFirst = record.timestamp
            chunkLast = record.timestamp
        } else {
            chunkFirst = min(chunkFirst, record.timestamp)
            chunkLast = max(chunkLast, record.timestamp)
        }
        packetCount += 1
        capturedByteCount += record.bytes.count
        return packets.append(record, firstPage: isBulk ? FlowPackets.maximumPageBytes : 0, capacityLimit: chunkLimit)
    }

    /// Removes the chunk being filled and returns it; the next chunk gets the next index.
    mutating func takeChunk(final closeReason: CloseReason?) -> FlowChunk {
        packets.storePcapHeader(snapLength: FlowChunk.snapLength)
        let chunk = FlowChunk(flowID: id, key: clientTuple, index: chunkIndex, isFinal: closeReason != nil,
                              closeReason: closeReason, flowStart: start, firstTimestamp: chunkFirst, lastTimestamp: chunkLast,
                              packets: packets, flowPacketCount: packetCount, flowCapturedByteCount: capturedByteCount)
        isBulk = isBulk || packets.storageByteCount >= FlowPackets.maximumPageBytes
        packets = FlowPackets(linkType: packets.linkType)
        chunkIndex += 1
        chunkFirst = chunkLast  // the times of a chunk that ends up without packets
        return chunk
    }
}
