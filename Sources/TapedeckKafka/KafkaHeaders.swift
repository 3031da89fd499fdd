/// The names of the headers on Tapedeck's Kafka messages, and their fixed values: the wire
/// contract of `api/asyncapi.yaml`, in one place.
///
/// Every value is UTF-8 text, so `kcat -f '%h'` shows it as it is.
public enum KafkaHeaders {
    // MARK: tapedeck.flows and tapedeck.streams

    /// The message format version, `1`.
    public static let version = "tapedeck-version"
    /// The flow id: 16 lowercase hex digits, the same as the message key.
    public static let flowID = "tapedeck-flow-id"
    /// The flow's 5-tuple, client → server: `PROTO CLIENT:PORT > SERVER:PORT`, IPv6 addresses in
    /// brackets, e.g. `6 10.0.0.1:1234 > 10.0.0.2:80`.
    public static let fiveTuple = "tapedeck-5tuple"
    /// The capture time of the chunk's first packet, RFC 3339 UTC with nanoseconds.
    public static let firstTimestamp = "tapedeck-first-ts"
    /// The capture time of the chunk's last packet, RFC 3339 UTC with nanoseconds.
    public static let lastTimestamp = "tapedeck-last-ts"
    /// The number of packets in the chunk, decimal.
    public static let packets = "tapedeck-packets"
    /// The packets' wire (original) lengths summed, decimal.
    public static let bytes = "tapedeck-bytes"
    /// The chunk's index within its flow, from 0, decimal.
    public static let chunk = "tapedeck-chunk"
    /// `true` on the flow's last chunk, else `false`.
    public static let final = "tapedeck-final"
    /// Why the flow ended (``CloseReason``); only on the final chunk.
    public static let closeReason = "tapedeck-close-reason"
    /// The name of the sensor that captured the flow.
    public static let sensor = "tapedeck-sensor"

    // MARK: tapedeck.streams only

    /// Which side sent the payload (``Direction``).
    public static let direction = "tapedeck-direction"
    /// The stream offset of the value's first byte (bytes since the side's first payload byte), decimal.
    public static let streamOffset = "tapedeck-stream-offset"
    /// Bytes missing from the capture inside the value's range, as `OFFSET+LENGTH` stream ranges
    /// separated by commas; empty when there are none. Missing bytes are not in the value.
    public static let gaps = "tapedeck-gaps"

    /// The value of ``version``.
    public static let currentVersion = "1"

    /// The values of ``closeReason``.
    public enum CloseReason: String, Sendable, CaseIterable {
        /// Both sides sent FIN.
        case fin
        /// A side sent RST.
        case rst
        /// No packet for the idle timeout (always the case for UDP and ICMP).
        case idle
        /// Flushed early because the flow table reached its memory cap.
        case evicted
        /// Flushed because Tapedeck stopped.
        case shutdown
    }

    /// The values of ``direction``.
    public enum Direction: String, Sendable, CaseIterable {
        /// From the side that opened the flow.
        case clientToServer = "client-to-server"
        /// From the side that accepted it.
        case serverToClient = "server-to-client"
    }
}
