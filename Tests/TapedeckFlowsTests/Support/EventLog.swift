import TapedeckCore
import TapedeckFlows

/// A sink that keeps everything, in order.
struct EventLog: FlowEventSink {
    enum Event {
        case chunk(FlowChunk)
        case segment(StreamSegment)
    }

    var events: [Event] = []

    mutating func receive(_ chunk: FlowChunk) { events.append(.chunk(chunk)) }
    mutating func receive(_ segment: StreamSegment) { events.append(.segment(segment)) }

    var chunks: [FlowChunk] {
        events.compactMap { if case .chunk(let chunk) = $0 { chunk } else { nil } }
    }

    var segments: [StreamSegment] {
        events.compactMap { if case .segment(let segment) = $0 { segment } else { nil } }
    }

    /// The flows, in order of their final chunk.
    var flows: [FlowSummary] {
        var byID: [FlowID: FlowSummary] = [:]
        var order: [FlowID] = []
        for event in events {
            switch event {
            case .chunk(let chunk):
                if byID[chunk.flowID] == nil { order.append(chunk.flowID) }
                byID[chunk.flowID, default: FlowSummary(id: chunk.flowID, key: chunk.key, start: chunk.flowStart)].chunks.append(chunk)
                byID[chunk.flowID]!.start = chunk.flowStart
            case .segment(let segment):
                if byID[segment.flowID] == nil { order.append(segment.flowID) }
                byID[segment.flowID, default: FlowSummary(id: segment.flowID, key: segment.key, start: .distantPast)]
                    .streams[Int(segment.direction.rawValue)].append(segment)
            }
        }
        return order.map { byID[$0]! }
    }
}

/// One flow as the events describe it.
struct FlowSummary {
    var id: FlowID
    var key: FiveTuple
    var start: Timestamp
    var chunks: [FlowChunk] = []
    /// Stream segments, client to server then server to client.
    var streams: [[StreamSegment]] = [[], []]

    var closeReason: CloseReason? { chunks.last?.closeReason }
    var packetCount: Int { chunks.reduce(0) { $0 + $1.packetCount } }

    /// The reassembled bytes of `direction` (gaps left out).
    func data(_ direction: FlowDirection) -> [UInt8] {
        streams[Int(direction.rawValue)].flatMap(\.bytes)
    }

    /// The gaps of `direction` as (index in ``data(_:)`` where bytes are missing, count).
    func gaps(_ direction: FlowDirection) -> [(position: Int, length: UInt64)] {
        var position = 0
        var result: [(Int, UInt64)] = []
        for segment in streams[Int(direction.rawValue)] {
            if segment.missingBefore > 0 { result.append((position, segment.missingBefore)) }
            position += segment.bytes.count
        }
        return result
    }
}

/// A sink that only counts, so that memory tests hold nothing.
struct CountingSink: FlowEventSink {
    var chunks = 0
    var finalChunks = 0
    var packets = 0
    var segments = 0
    var reasons: [CloseReason: Int] = [:]

    mutating func receive(_ chunk: FlowChunk) {
        chunks += 1
        packets += chunk.packetCount
        if let reason = chunk.closeReason {
            finalChunks += 1
            reasons[reason, default: 0] += 1
        }
    }

    mutating func receive(_ segment: StreamSegment) { segments += 1 }
}
