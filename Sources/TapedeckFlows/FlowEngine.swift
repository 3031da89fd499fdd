import TapedeckCore

/// What a ``FlowTracker`` does, as a struct: the flow table, the clock, the counters, and the
/// per-packet work (see ``FlowTracker`` for the behaviour).
struct FlowEngine {
    let configuration: FlowTrackerConfiguration
    var statistics = FlowTrackerStatistics()
    var table = FlowTable()
    /// The latest packet time seen (nanoseconds); never goes backwards.
    private var clock = Int64.min
    /// Timeout per activity class, in nanoseconds.
    private let timeouts: [Int64]
    /// ``FlowTrackerConfiguration/idleChunkTimeout`` in nanoseconds.
    private let idleChunkTimeout: Int64
    /// No flow times out before this clock time (a lower bound, so that most packets skip the
    /// timeout scan).
    private var nextDeadline = Int64.max
    let streamLimits: StreamReassembler.Limits

    init(configuration: FlowTrackerConfiguration) {
        self.configuration = configuration
        timeouts = ActivityClass.allCases.map { activityClass in
            switch activityClass {
            case .tcpEstablished: configuration.tcpEstablishedTimeout.wholeNanoseconds
            case .tcpClosing: configuration.tcpClosingTimeout.wholeNanoseconds
            case .tcpClosed: configuration.tcpClosedLinger.wholeNanoseconds
            case .udp: configuration.udpTimeout.wholeNanoseconds
            case .other: configuration.otherTimeout.wholeNanoseconds
            }
        }
        idleChunkTimeout = configuration.idleChunkTimeout.wholeNanoseconds
        streamLimits = StreamReassembler.Limits(runBytes: max(1, configuration.maximumStreamSegmentBytes),
                                                queuedBytes: configuration.maximumOutOfOrderBytes,
                                                queuedSegments: configuration.maximumOutOfOrderSegments)
    }

    /// See ``FlowTracker/process(_:into:)``.
    mutating func process(_ record: PacketRecord, origin: UInt64, into sink: inout some FlowEventSink) {
        statistics.packets += 1
        statistics.capturedBytes += record.bytes.count
        advanceClock(to: record.timestamp.nanoseconds, into: &sink)
        let decoded = PacketDecoder.decode(record.bytes, linkType: record.linkType)
        guard decoded.network != .none, decoded.hasIPProtocol else {
            statistics.packetsWithoutFlow += 1
            return
        }
        let tuple = Self.tuple(of: decoded)
        let key = FlowKey(tuple)
        let fromCanonicalSource = key.canonical.sourcePort == tuple.sourcePort && key.canonical.source == tuple.source
        let isTCP = tuple.ipProtocol == 6
        let segment = isTCP ? TCPSegment(record, decoded) : nil

        let hash = table.hash(key)
        var found = table.slot(for: key, hash: hash)
        if let slot = found, let segment, segment.isPureSYN {
            let direction = table[slot].direction(fromCanonicalSource: fromCanonicalSource)
            if table[slot].tcp.isNewConnection(segment, from: direction) {
                close(slot, reason: table[slot].endedReason ?? .idle, into: &sink)
                found = nil
            }
        }
        let slot = found ?? open(key: key, hash: hash, record: record, origin: origin, fromCanonicalSource: fromCanonicalSource,
                                 isTCP: isTCP, segment: segment, into: &sink)
        let costBefore = table[slot].memoryCost
        Self.update(&table[slot], with: record, segment: segment, fromCanonicalSource: fromCanonicalSource,
                    configuration: configuration, limits: streamLimits, statistics: &statistics, into: &sink)
        statistics.memoryInUse += table[slot].memoryCost - costBefore
        let activityClass = table[slot].currentActivityClass
        table.touch(slot, activityClass: activityClass, time: clock)
        table.touchBuffered(slot)
        lowerDeadline(after: timeouts[activityClass.rawValue])
        lowerDeadline(after: idleChunkTimeout)

        while statistics.memoryInUse > configuration.memoryLimit, let victim = table.leastRecentlyActive() {
            close(victim, reason: .evicted, into: &sink)
        }
        statistics.peakMemoryInUse = max(statistics.peakMemoryInUse, statistics.memoryInUse)
    }

    /// Moves the clock to `time` if that is later, closes the flows idle past their timeout, and
    /// emits the buffered packets of flows quiet for longer than the idle chunk timeout.
    mutating func advanceClock(to time: Int64, into sink: inout some FlowEventSink) {
        guard time > clock else { return }
        clock = time
        guard clock > nextDeadline else { return }
        nextDeadline = .max
        for activityClass in ActivityClass.allCases {
            let timeout = timeouts[activityClass.rawValue]
            while let slot = table.oldest(in: activityClass) {
                let (deadline, overflow) = table[slot].activity.addingReportingOverflow(timeout)
                if overflow { break }
                guard clock > deadline else {
                    nextDeadline = min(nextDeadline, deadline)
                    break
                }
                close(slot, reason: table[slot].timeoutReason, into: &sink)
            }
        }
        while let slot = table.oldestWithBufferedPackets {
            let (deadline, overflow) = table[slot].activity.addingReportingOverflow(idleChunkTimeout)
            if overflow { break }
            guard clock > deadline else {
                nextDeadline = min(nextDeadline, deadline)
                break
            }
            let costBefore = table[slot].memoryCost
            Self.emitChunk(of: &table[slot], closeReason: nil, reassembles: configuration.reassemblesStreams,
                           statistics: &statistics, into: &sink)
            statistics.memoryInUse += table[slot].memoryCost - costBefore
            table.unlinkBuffered(slot)
        }
    }

    /// Keeps ``nextDeadline`` a lower bound after a flow had a packet now, for a timer of `delay`.
    @inline(__always)
    private mutating func lowerDeadline(after delay: Int64) {
        let (deadline, overflow) = clock.addingReportingOverflow(delay)
        if !overflow, deadline < nextDeadline { nextDeadline = deadline }
    }

    /// The 5-tuple a packet's flow is keyed by (ports 0 for protocols without them).
    @inline(__always)
    static func tuple(of decoded: DecodedPacket) -> FiveTuple {
        FiveTuple(ipProtocol: decoded.ipProtocol, source: decoded.source, destination: decoded.destination,
                  sourcePort: decoded.hasPorts ? decoded.sourcePort : 0,
                  destinationPort: decoded.hasPorts ? decoded.destinationPort : 0)
    }

    /// See ``FlowTracker/openFlows``.
    var openFlows: [OpenFlow] {
        table.allSlots.map { slot in
            let flow = table[slot]
            return OpenFlow(key: flow.key, id: flow.id, start: flow.start, origin: flow.origin, nextChunkIndex: flow.chunkIndex)
        }
    }

    /// See ``FlowTracker/flushAll(reason:into:)``.
    mutating func flushAll(reason: CloseReason, into sink: inout some FlowEventSink) {
        for slot in table.allSlots {
            close(slot, reason: table[slot].endedReason ?? reason, into: &sink)
        }
    }

    /// Starts a flow for `record`, evicting first if the table is full.
    private mutating func open(key: FlowKey, hash: UInt64, record: PacketRecord, origin: UInt64, fromCanonicalSource: Bool,
                               isTCP: Bool,
                               segment: TCPSegment?, into sink: inout some FlowEventSink) -> Int32 {
        while table.count >= max(1, configuration.maximumFlows), let victim = table.leastRecentlyActive() {
            close(victim, reason: .evicted, into: &sink)
        }
        var flow = FlowState(key: key, record: record, fromCanonicalSource: fromCanonicalSource, isTCP: isTCP, segment: segment)
        flow.origin = origin
        flow.activityClass = flow.currentActivityClass
        flow.activity = clock
        statistics.memoryInUse += flow.memoryCost
        statistics.flowsCreated += 1
        let slot = table.insert(flow, hash: hash)
        statistics.activeFlows = table.count
        return slot
    }

    /// Adds `record` to `flow`: a chunk is emitted first if the packet would overfill it; then TCP
    /// state and reassembly, and the stream segments that completed. (Static, so that the flow,
    /// which lives in the table, and the counters can be borrowed at the same time.)
    private static func update(_ flow: inout FlowState, with record: PacketRecord, segment: TCPSegment?,
                               fromCanonicalSource: Bool, configuration: FlowTrackerConfiguration,
                               limits: StreamReassembler.Limits, statistics: inout FlowTrackerStatistics,
                               into sink: inout some FlowEventSink) {
        if flow.chunkIsFull(for: record, limit: configuration.maximumChunkBytes) {
            emitChunk(of: &flow, closeReason: nil, reassembles: configuration.reassemblesStreams, statistics: &statistics,
                      into: &sink)
        }
        let stored = flow.append(record, chunkLimit: configuration.maximumChunkBytes)
        guard let segment else { return }
        flow.tcp.process(segment, from: flow.direction(fromCanonicalSource: fromCanonicalSource),
                         stored: stored.advanced(by: segment.payloadStart), reassembles: configuration.reassemblesStreams,
                         limits: limits, counters: &statistics)
        if configuration.reassemblesStreams {
            emitStreams(of: &flow, includingOpen: false, closeReason: nil, statistics: &statistics, into: &sink)
        }
    }

    /// Removes the flow in `slot` and emits its remaining stream segments and final chunk.
    private mutating func close(_ slot: Int32, reason: CloseReason, into sink: inout some FlowEventSink) {
        statistics.memoryInUse -= table[slot].memoryCost
        var flow = table.remove(slot)
        statistics.activeFlows = table.count
        statistics.flowsClosed[reason] += 1
        if flow.isTCP, configuration.reassemblesStreams {
            flow.tcp.finishStreams(limits: streamLimits, counters: &statistics)
        }
        Self.emitChunk(of: &flow, closeReason: reason, reassembles: configuration.reassemblesStreams, statistics: &statistics,
                       into: &sink)
    }
}
