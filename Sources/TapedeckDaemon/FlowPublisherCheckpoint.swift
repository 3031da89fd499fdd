import TapedeckCore
import TapedeckFlows
import TapedeckPOSIX
import TapedeckStorage

/// What the flow publisher must know to carry on after a restart without losing a flow: how far
/// it read the store, which flows were open there, and up to which message Kafka acknowledged
/// everything. Written (atomically) only once Kafka acknowledged every message up to
/// ``sequence``, so everything it describes is safe.
///
/// The file `kafka/<topic>.checkpoint` in the store (see `Storage/FORMAT.md`):
///
/// ```
/// tapedeck-flow-checkpoint 1
/// topic tapedeck.flows
/// sequence 1234
/// streams-sequence 2210
/// resume 7 10250
/// flow 6 10.0.0.1 51000 10.0.0.2 80 1d2c3b4a59687766 1700000000123456789 7 10001 2
/// ```
///
/// `streams-sequence` (only when a streams topic is published) is the same for the stream
/// segments' messages. `resume` is the store position (segment, packet) of the next packet to read; each `flow` line
/// is an open flow: protocol, canonical source address and port, destination address and port,
/// flow id, first packet time (ns), the store position of its first packet, and the index of its
/// next chunk (chunks before it were acknowledged).
public struct FlowPublisherCheckpoint: Equatable, Sendable {
    /// Every message up to this sequence number was acknowledged; the next gets a larger one.
    public var sequence: UInt64
    /// The same for the streams topic's messages; nil when none are published.
    public var streamSequence: UInt64?
    /// The store position of the next packet to read.
    public var resume: StoreLogPosition
    /// The flows open at ``resume``.
    public var openFlows: [OpenFlow]

    /// A checkpoint.
    public init(sequence: UInt64, streamSequence: UInt64? = nil, resume: StoreLogPosition, openFlows: [OpenFlow]) {
        self.sequence = sequence
        self.streamSequence = streamSequence
        self.resume = resume
        self.openFlows = openFlows
    }

    /// Where reading must start to rebuild the open flows: the first packet of the oldest open
    /// flow, or ``resume``.
    public var rebuildStart: StoreLogPosition {
        openFlows.map { StoreLogPosition(ordinal: $0.origin) }.min().map { min($0, resume) } ?? resume
    }

    /// The text of the file for `topic`.
    func text(topic: String) -> String {
        var lines = ["tapedeck-flow-checkpoint 1", "topic \(topic)", "sequence \(sequence)"]
        if let streamSequence { lines.append("streams-sequence \(streamSequence)") }
        lines.append("resume \(resume.segment) \(resume.packet)")
        for flow in openFlows {
            let tuple = flow.key.canonical
            lines.append("flow \(tuple.ipProtocol) \(tuple.source) \(tuple.sourcePort) \(tuple.destination) "
                + "\(tuple.destinationPort) \(flow.id) \(flow.start.nanoseconds) \(flow.origin >> 40) "
                + "\(flow.origin & (1 << 40 - 1)) \(flow.nextChunkIndex)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Parses the text of a checkpoint file for `topic`.
    static func parse(_ text: String, topic: String, path: String) throws(FlowPublisherError) -> FlowPublisherCheckpoint {
        func bad(_ reason: String) -> FlowPublisherError { .checkpointUnreadable(path: path, reason: reason) }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.first == "tapedeck-flow-checkpoint 1" else { throw bad("not a version 1 flow publisher checkpoint") }
        guard lines.count >= 4 else { throw bad("truncated: \(lines.count) lines, at least 4 expected") }
        guard lines[1] == "topic \(topic)" else {
            throw .checkpointForOtherTopic(path: path, line: String(lines[1]))
        }
        func number(_ line: Substring, _ name: String) -> UInt64? {
            let fields = line.split(separator: " ")
            return fields.count == 2 && fields[0] == name ? UInt64(fields[1]) : nil
        }
        guard let sequence = number(lines[2], "sequence") else { throw bad("line 3 is not 'sequence N'") }
        let streamSequence = number(lines[3], "streams-sequence")
        let resumeLine = streamSequence == nil ? 3 : 4
        guard lines.count > resumeLine else { throw bad("no 'resume' line") }
        let resumeFields = lines[resumeLine].split(separator: " ")
        guard resumeFields.count == 3, resumeFields[0] == "resume", let segment = UInt64(resumeFields[1]),
              let packet = UInt64(resumeFields[2]) else {
            throw bad("line \(resumeLine + 1) is not 'resume SEGMENT PACKET'")
        }
        var flows: [OpenFlow] = []
        for (index, line) in lines.dropFirst(resumeLine + 1).enumerated() {
            let fields = line.split(separator: " ")
            guard fields.count == 11, fields[0] == "flow", let proto = UInt8(fields[1]), let source = IPAddress(fields[2]),
                  let sourcePort = UInt16(fields[3]), let destination = IPAddress(fields[4]),
                  let destinationPort = UInt16(fields[5]), let id = UInt64(fields[6], radix: 16),
                  let start = Int64(fields[7]), let originSegment = UInt64(fields[8]), let originPacket = UInt64(fields[9]),
                  let nextChunk = UInt32(fields[10]) else {
                throw bad("line \(resumeLine + index + 2) is not a flow line")
            }
            let key = FlowKey(FiveTuple(ipProtocol: proto, source: source, destination: destination,
                                        sourcePort: sourcePort, destinationPort: destinationPort))
            flows.append(OpenFlow(key: key, id: FlowID(rawValue: id), start: Timestamp(nanoseconds: start),
                                  origin: StoreLogPosition(segment: originSegment, packet: originPacket).ordinal,
                                  nextChunkIndex: nextChunk))
        }
        return FlowPublisherCheckpoint(sequence: sequence, streamSequence: streamSequence,
                                       resume: StoreLogPosition(segment: segment, packet: packet), openFlows: flows)
    }

    /// The checkpoint in `directory/name`, or nil when there is none.
    static func read(directory: String, name: String, topic: String) throws(FlowPublisherError) -> FlowPublisherCheckpoint? {
        let path = directory + "/" + name
        guard FileSystem.exists(path) else { return nil }
        let bytes: [UInt8]
        do { bytes = try FileSystem.readWholeFile(path) } catch { throw .checkpointFile(path: path, error: error) }
        return try parse(String(decoding: bytes, as: UTF8.self), topic: topic, path: path)
    }

    /// Replaces `directory/name` with this checkpoint, atomically and durably.
    func write(directory: String, name: String, topic: String) throws(FlowPublisherError) {
        do { try FileSystem.writeAtomically(directory: directory, name: name, bytes: Array(text(topic: topic).utf8)) } catch {
            throw .checkpointFile(path: directory + "/" + name, error: error)
        }
    }
}
