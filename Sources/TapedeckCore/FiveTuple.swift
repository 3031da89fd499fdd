/// The transport 5-tuple of a packet as seen on the wire (source first).
public struct FiveTuple: Hashable, Sendable, CustomStringConvertible {
    /// IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, …).
    public var ipProtocol: UInt8
    /// The sender's address.
    public var source: IPAddress
    /// The receiver's address.
    public var destination: IPAddress
    /// Source port; zero when the protocol has no ports.
    public var sourcePort: UInt16
    /// Destination port; zero when the protocol has no ports.
    public var destinationPort: UInt16

    /// Creates a tuple from its fields.
    public init(ipProtocol: UInt8, source: IPAddress, destination: IPAddress, sourcePort: UInt16, destinationPort: UInt16) {
        self.ipProtocol = ipProtocol
        self.source = source
        self.destination = destination
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
    }

    /// The direction-independent key of the flow this packet belongs to.
    public var flowKey: FlowKey { FlowKey(self) }

    /// `PROTO SRC:PORT > DST:PORT`, IPv6 addresses in brackets, e.g. `6 10.0.0.1:1234 > 10.0.0.2:80`.
    public var description: String {
        String(ascii: Self.maximumDescriptionLength) { $0.write(self) }
    }

    /// The longest ``description``: a three-digit protocol and two bracketed IPv6 endpoints.
    public static let maximumDescriptionLength = 3 + 1 + 2 * (IPAddress.maximumDescriptionLength + 2 + 1 + 5) + 3
}

extension ASCIIWriter {
    /// Writes `tuple`'s ``FiveTuple/description`` (at most ``FiveTuple/maximumDescriptionLength`` bytes).
    public mutating func write(_ tuple: FiveTuple) {
        write(decimal: tuple.ipProtocol)
        write(UInt8(ascii: " "))
        writeEndpoint(tuple.source, tuple.sourcePort)
        write(UInt8(ascii: " "))
        write(UInt8(ascii: ">"))
        write(UInt8(ascii: " "))
        writeEndpoint(tuple.destination, tuple.destinationPort)
    }

    private mutating func writeEndpoint(_ address: IPAddress, _ port: UInt16) {
        if address.isIPv6 { write(UInt8(ascii: "[")) }
        write(address)
        if address.isIPv6 { write(UInt8(ascii: "]")) }
        write(UInt8(ascii: ":"))
        write(decimal: port)
    }
}

/// A 5-tuple in canonical order (lower endpoint first), equal for both directions of a flow.
public struct FlowKey: Hashable, Sendable {
    /// The tuple with the lower (address, port) endpoint as source.
    public var canonical: FiveTuple

    /// Canonicalises `tuple`.
    @inlinable
    public init(_ tuple: FiveTuple) {
        if (tuple.source, tuple.sourcePort) <= (tuple.destination, tuple.destinationPort) {
            canonical = tuple
        } else {
            canonical = FiveTuple(ipProtocol: tuple.ipProtocol, source: tuple.destination, destination: tuple.source,
                                  sourcePort: tuple.destinationPort, destinationPort: tuple.sourcePort)
        }
    }

    /// A stable 64-bit hash (FNV-1a over the canonical fields in a fixed byte order), the same in
    /// every process and release: it is written into indexes and used as a flow id.
    @inlinable
    public var stableHash: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func mix(_ value: UInt64, bytes: Int) {
            for shift in stride(from: 0, to: bytes * 8, by: 8) {
                hash = (hash ^ (value >> UInt64(shift) & 0xFF)) &* 0x0000_0100_0000_01B3
            }
        }
        let tuple = canonical
        mix(UInt64(tuple.ipProtocol), bytes: 1)
        mix(tuple.source.isIPv6 ? 1 : 0, bytes: 1)
        mix(tuple.source.high, bytes: 8)
        mix(tuple.source.low, bytes: 8)
        mix(tuple.destination.high, bytes: 8)
        mix(tuple.destination.low, bytes: 8)
        mix(UInt64(tuple.sourcePort), bytes: 2)
        mix(UInt64(tuple.destinationPort), bytes: 2)
        return hash
    }
}
