/// Size limits on requests, against memory exhaustion and abuse.
public struct RequestLimits: Sendable, Equatable {
    /// Longest request line (`GET /target HTTP/1.1`), CRLF excluded; longer is `414`. Default 8 KiB.
    public var requestLineBytes = 8 * 1024
    /// Largest header section (every field line, CRLFs included); larger is `431`. Default 32 KiB.
    public var headerBytes = 32 * 1024
    /// Most header fields; more is `431`. Default 100.
    public var headerCount = 100
    /// Largest body, after de-chunking; larger is `413`. Default 4 MiB.
    public var bodyBytes = 4 * 1024 * 1024
    /// Longest chunk-size line of a chunked body (size and extensions); longer is `400`. Default 1 KiB.
    public var chunkLineBytes = 1024

    public init() {}
}
