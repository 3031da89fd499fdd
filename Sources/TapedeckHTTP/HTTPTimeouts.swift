/// How long clients may take, in seconds. Together with ``RequestLimits`` these keep slow or
/// idle clients (slowloris) from holding resources: requests are read by one reactor thread
/// that never waits on a single client, and a worker is only taken once a whole request is in.
public struct HTTPTimeouts: Sendable, Equatable {
    /// From the first byte of a request (or the connection's acceptance) to the end of its
    /// head; then `408` and the connection is closed. Default 10 s.
    public var requestHead = 10.0
    /// From the end of the head to the end of the body. Default 30 s.
    public var requestBody = 30.0
    /// How long a kept-alive connection may wait for its next request. Default 60 s.
    public var idle = 60.0
    /// How long a client may read nothing of a response before it is cut off. Default 30 s.
    public var send = 30.0
    /// How long to read and discard what a client still sends after a closing response. Default 2 s.
    public var linger = 2.0

    public init() {}
}
