extension FlowEngine {
    /// Emits the chunk being filled (and, before it, the stream segments up to now); with a
    /// `closeReason` as the flow's final chunk and final segments.
    static func emitChunk(of flow: inout FlowState, closeReason: CloseReason?, reassembles: Bool,
                          statistics: inout FlowTrackerStatistics, into sink: inout some FlowEventSink) {
        if flow.isTCP, reassembles {
            emitStreams(of: &flow, includingOpen: true, closeReason: closeReason, statistics: &statistics, into: &sink)
        }
        sink.receive(flow.takeChunk(final: closeReason))
        statistics.chunks += 1
    }

    /// Emits each direction's completed runs as stream segments, and with `includingOpen` the
    /// open run too. With a `closeReason`, each direction that had payload or a gap ends with a
    /// final segment (empty if nothing is left).
    static func emitStreams(of flow: inout FlowState, includingOpen: Bool, closeReason: CloseReason?,
                            statistics: inout FlowTrackerStatistics, into sink: inout some FlowEventSink) {
        guard includingOpen || !flow.tcp.client.stream.completedRuns.isEmpty
            || !flow.tcp.server.stream.completedRuns.isEmpty else { return }
        let header = StreamSegment(flowID: flow.id, key: flow.clientTuple, direction: .clientToServer, index: 0,
                                   chunkIndex: flow.chunkIndex, offset: 0, missingBefore: 0, bytes: [],
                                   startsAtConnectionStart: false, isFinal: false, closeReason: nil)
        emit(&flow.tcp.client.stream, header, packets: flow.packets, includingOpen: includingOpen, closeReason: closeReason,
             statistics: &statistics, into: &sink)
        var reverse = header
        reverse.direction = .serverToClient
        emit(&flow.tcp.server.stream, reverse, packets: flow.packets, includingOpen: includingOpen, closeReason: closeReason,
             statistics: &statistics, into: &sink)
    }

    /// Emits one direction's runs as segments built on `header` (flow, key, direction, chunk),
    /// gathering their bytes from `packets` (the chunk being filled).
    private static func emit(_ stream: inout StreamReassembler, _ header: StreamSegment, packets: FlowPackets,
                             includingOpen: Bool, closeReason: CloseReason?, statistics: inout FlowTrackerStatistics,
                             into sink: inout some FlowEventSink) {
        guard includingOpen || !stream.completedRuns.isEmpty else { return }
        var runs = stream.takeRuns(includingOpen: includingOpen)
        if closeReason != nil, runs.isEmpty, stream.hasOutput {
            runs.append(StreamReassembler.Run(offset: stream.openRunOffset))
        }
        for (position, run) in runs.enumerated() {
            let isFinal = closeReason != nil && position == runs.count - 1
            var segment = header
            segment.index = stream.emittedSegments
            segment.offset = run.offset
            segment.missingBefore = run.missingBefore
            segment.bytes = run.bytes(from: packets)
            segment.startsAtConnectionStart = stream.startsAtConnectionStart
            segment.isFinal = isFinal
            segment.closeReason = isFinal ? closeReason : nil
            sink.receive(segment)
            stream.emittedSegments += 1
            statistics.streamSegments += 1
            statistics.streamBytes += run.byteCount
            if run.missingBefore > 0 {
                statistics.streamGaps += 1
                statistics.streamGapBytes += Int(clamping: run.missingBefore)
            }
        }
    }
}
