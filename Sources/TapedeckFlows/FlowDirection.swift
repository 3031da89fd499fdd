/// One direction of a flow, relative to its client (see ``FlowChunk/key``).
public enum FlowDirection: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// From the client (the side that sent the SYN, or the first packet's sender) to the server.
    case clientToServer = 0
    /// From the server to the client.
    case serverToClient = 1

    /// The other direction.
    @inlinable
    public var reversed: FlowDirection { self == .clientToServer ? .serverToClient : .clientToServer }

    /// `client-to-server` or `server-to-client`, as in the Kafka contract.
    public var description: String { self == .clientToServer ? "client-to-server" : "server-to-client" }
}
