import TapedeckCore

/// A key of one index section: fixed width on disk, little-endian, ordered like its value so
/// that sorted sections can be binary-searched and range-scanned (CIDR ranges).
protocol IndexKey: Comparable, Sendable {
    /// Bytes the key takes in an index entry.
    static var width: Int { get }
    /// Reads a key written by ``store(to:)``.
    init(loadingFrom source: UnsafeRawPointer)
    /// Writes the key in `width` bytes.
    func store(to destination: UnsafeMutableRawPointer)
}

extension UInt8: IndexKey {
    static var width: Int { 1 }
    init(loadingFrom source: UnsafeRawPointer) { self = source.load(as: UInt8.self) }
    func store(to destination: UnsafeMutableRawPointer) { destination.storeBytes(of: self, as: UInt8.self) }
}

extension UInt16: IndexKey {
    static var width: Int { 2 }
    init(loadingFrom source: UnsafeRawPointer) { self = source.loadLittleEndian(at: 0) }
    func store(to destination: UnsafeMutableRawPointer) { destination.storeLittleEndian(self, at: 0) }
}

extension UInt32: IndexKey {
    static var width: Int { 4 }
    init(loadingFrom source: UnsafeRawPointer) { self = source.loadLittleEndian(at: 0) }
    func store(to destination: UnsafeMutableRawPointer) { destination.storeLittleEndian(self, at: 0) }
}

extension UInt64: IndexKey {
    static var width: Int { 8 }
    init(loadingFrom source: UnsafeRawPointer) { self = source.loadLittleEndian(at: 0) }
    func store(to destination: UnsafeMutableRawPointer) { destination.storeLittleEndian(self, at: 0) }
}

/// An IPv6 address as an index key: high then low 64 bits.
struct IPv6Key: IndexKey, Hashable {
    var high: UInt64
    var low: UInt64

    init(_ address: IPAddress) {
        high = address.high
        low = address.low
    }

    static var width: Int { 16 }

    init(loadingFrom source: UnsafeRawPointer) {
        high = source.loadLittleEndian(at: 0)
        low = source.loadLittleEndian(at: 8)
    }

    func store(to destination: UnsafeMutableRawPointer) {
        destination.storeLittleEndian(high, at: 0)
        destination.storeLittleEndian(low, at: 8)
    }

    static func < (lhs: IPv6Key, rhs: IPv6Key) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

/// The sections of a segment index, by the key they map to block numbers.
enum IndexSection: UInt32, CaseIterable, Sendable {
    /// `FlowKey.stableHash` of the packet's canonical 5-tuple.
    case flow = 1
    /// IPv4 source and destination addresses.
    case ipv4 = 2
    /// IPv6 source and destination addresses.
    case ipv6 = 3
    /// TCP/UDP/SCTP source and destination ports.
    case port = 4
    /// IP protocol: the upper-layer protocol and, for IPv6, also the first Next Header.
    case ipProtocol = 5
    /// Every VLAN ID of the packet.
    case vlan = 6
    /// Every MPLS label of the packet.
    case mpls = 7
}
