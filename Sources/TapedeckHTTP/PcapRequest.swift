import TapedeckCore
import TapedeckQuery

/// A query to answer with a pcap stream, and how to write it.
struct PcapRequest {
    /// Capture file formats.
    enum Format: String, CaseIterable {
        case pcap, pcapng
    }

    /// The packets.
    var expression: QueryExpression
    /// The client's caps (`Steno-Limit-*`, `limit_packets`, `limit_bytes`).
    var limits = QueryLimits()
    /// The file format; nil picks pcap, or pcapng when the result spans link types.
    var format: Format?
    /// Timestamp precision of the file.
    var precision = TimestampPrecision.nanoseconds
    /// `Content-Type` of a pcap result (pcapng is always `application/x-pcapng`).
    var pcapContentType = "application/vnd.tcpdump.pcap"
    /// The download's file name without extension, for `Content-Disposition`; nil for none.
    var filenameStem: String?
}

/// Why a running query was stopped by the server.
enum QueryInterruption: Error {
    /// The query time limit passed.
    case timeLimit
    /// The server is shutting down.
    case shutdown
}

/// A streamed response that failed after its head was sent: the connection must close without
/// ending the body, so the client sees an incomplete response.
struct ResponseAborted: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
