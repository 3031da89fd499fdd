/// The TCP state of a flow: per direction the initial sequence number, FIN and its
/// acknowledgment, and the reassembler; for the connection how it ended.
struct TCPConnection {
    /// One direction of the connection.
    struct Half {
        /// Whether a packet was seen in this direction.
        var hasSequence = false
        /// The sequence number field of the direction's first packet (the ISN when it was a SYN).
        var initialSequence: UInt32 = 0
        /// The FIN's sequence number, once seen.
        var finSequence: UInt32?
        /// Whether the other side acknowledged the FIN.
        var finAcknowledged = false
        /// The direction's payload.
        var stream = StreamReassembler()
    }

    /// The client-to-server half.
    var client = Half()
    /// The server-to-client half.
    var server = Half()
    /// How the connection ended (``CloseReason/rst`` or ``CloseReason/fin``), once it has.
    private(set) var endReason: CloseReason?

    /// Whether both sides sent a FIN.
    var bothFINsSeen: Bool { client.finSequence != nil && server.finSequence != nil }

    /// Memory held by the reassemblers.
    var memoryCost: Int { client.stream.memoryCost + server.stream.memoryCost }

    /// Whether `segment`, sent in `direction`, opens a new connection on this 5-tuple: a SYN
    /// without ACK whose sequence number differs from the direction's initial one (the port was
    /// reused, as Wireshark's "TCP port numbers reused" also decides).
    func isNewConnection(_ segment: TCPSegment, from direction: FlowDirection) -> Bool {
        guard segment.isPureSYN else { return false }
        return direction == .clientToServer
            ? client.hasSequence && segment.sequence != client.initialSequence
            : server.hasSequence && segment.sequence != server.initialSequence
    }

    /// Follows `segment`, sent in `direction`, whose payload the chunk keeps at `stored`:
    /// acknowledgments (which may turn holes of the other direction into gaps, and acknowledge its
    /// FIN), the direction's first sequence number, its payload, FIN and RST.
    mutating func process(_ segment: TCPSegment, from direction: FlowDirection, stored: StoredBytes, reassembles: Bool,
                          limits: StreamReassembler.Limits, counters: inout FlowTrackerStatistics) {
        if direction == .clientToServer {
            Self.process(segment, sender: &client, receiver: &server, stored: stored, reassembles: reassembles, limits: limits,
                         counters: &counters)
        } else {
            Self.process(segment, sender: &server, receiver: &client, stored: stored, reassembles: reassembles, limits: limits,
                         counters: &counters)
        }
        if endReason == nil {
            if segment.isRST {
                endReason = .rst
            } else if client.finAcknowledged, server.finAcknowledged {
                endReason = .fin
            }
        }
    }

    private static func process(_ segment: TCPSegment, sender: inout Half, receiver: inout Half, stored: StoredBytes,
                                reassembles: Bool,
                                limits: StreamReassembler.Limits, counters: inout FlowTrackerStatistics) {
        if segment.isACK {
            if reassembles, receiver.stream.isStarted {
                receiver.stream.acknowledge(segment.acknowledgment, limits: limits, counters: &counters)
            }
            if let fin = receiver.finSequence, SequenceNumber.isAtOrAfter(segment.acknowledgment, fin &+ 1) {
                receiver.finAcknowledged = true
            }
        }
        if !sender.hasSequence {
            sender.hasSequence = true
            sender.initialSequence = segment.sequence
            if reassembles {
                sender.stream.start(at: segment.dataSequence, atConnectionStart: segment.isSYN, hasPayload: segment.length > 0)
            }
        }
        if reassembles, segment.length > 0 {
            sender.stream.receive(sequence: segment.dataSequence, payload: segment.payload, stored: stored,
                                  length: segment.length, limits: limits, counters: &counters)
        }
        if segment.isFIN, sender.finSequence == nil {
            let fin = segment.dataSequence &+ UInt32(truncatingIfNeeded: segment.length)
            sender.finSequence = fin
            if reassembles { sender.stream.noteFIN(at: fin) }
        }
    }

    /// Ends both directions' streams (see ``StreamReassembler/finish(limits:counters:)``).
    mutating func finishStreams(limits: StreamReassembler.Limits, counters: inout FlowTrackerStatistics) {
        client.stream.finish(limits: limits, counters: &counters)
        server.stream.finish(limits: limits, counters: &counters)
    }
}
