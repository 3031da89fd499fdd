#if canImport(Glibc)
import Glibc
#endif
import Logging
import TapedeckCore
import TapedeckStorage
@testable import TapedeckQuery

// Stores written with `StoreWriter` for planner and executor tests, frames to fill them, and
// the brute-force oracle: decode every written packet and call `matches`.

/// A fresh directory under /tmp, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/tapedeck-query-test-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    func remove() {
        _ = system("rm -rf '\(path)'")
    }
}

let storeTestLogger = Logger(label: "tapedeck.query.tests") { _ in SwiftLogNoOpLogHandler() }

/// A packet as written to (and read back from) a store; owned bytes.
struct StoredPacket: Equatable, CustomStringConvertible {
    var time: Int64
    var linkType: LinkType
    var bytes: [UInt8]
    var originalLength: UInt32

    init(time: Int64, linkType: LinkType = .ethernet, bytes: [UInt8], originalLength: UInt32? = nil) {
        self.time = time
        self.linkType = linkType
        self.bytes = bytes
        self.originalLength = originalLength ?? UInt32(bytes.count) + 7
    }

    init(_ record: PacketRecord) {
        self.init(time: record.timestamp.nanoseconds, linkType: record.linkType, bytes: Array(record.bytes),
                  originalLength: record.originalLength)
    }

    var timestamp: Timestamp { Timestamp(nanoseconds: time) }

    func withRecord<T>(_ body: (PacketRecord) throws -> T) rethrows -> T {
        try bytes.withUnsafeBytes { raw in
            try body(PacketRecord(timestamp: timestamp, originalLength: originalLength, linkType: linkType, bytes: raw))
        }
    }

    var decoded: DecodedPacket {
        bytes.withUnsafeBytes { PacketDecoder.decode($0, linkType: linkType) }
    }

    var description: String { "\(time) \(linkType) \(bytes.count)B" }
}

// MARK: - Frames

/// Frame builders: transport headers, IP, and link layers with VLAN tags or MPLS labels.
enum Frame {
    static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    /// A 20-byte TCP header (PSH+ACK) and `payload`.
    static func tcp(_ sourcePort: UInt16, _ destinationPort: UInt16, payload: [UInt8] = []) -> [UInt8] {
        bigEndian(sourcePort) + bigEndian(destinationPort) + [0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xFF, 0xFF, 0, 0, 0, 0]
            + payload
    }

    /// An 8-byte UDP header and `payload`.
    static func udp(_ sourcePort: UInt16, _ destinationPort: UInt16, payload: [UInt8] = []) -> [UInt8] {
        bigEndian(sourcePort) + bigEndian(destinationPort) + bigEndian(UInt16(8 + payload.count)) + [0, 0] + payload
    }

    /// An ICMP/ICMPv6 echo request with `payload`.
    static func icmpEcho(payload: [UInt8] = []) -> [UInt8] {
        [8, 0, 0, 0, 0, 1, 0, 1] + payload
    }

    /// An IPv4 header (no options) before `transport`; `fragmentOffset` in 8-byte units.
    static func ipv4(_ source: IPAddress, _ destination: IPAddress, protocol number: UInt8, _ transport: [UInt8],
                     fragmentOffset: UInt16 = 0) -> [UInt8] {
        [0x45, 0] + bigEndian(UInt16(20 + transport.count)) + [0, 0] + bigEndian(fragmentOffset) + [64, number, 0, 0]
            + bigEndian(UInt32(truncatingIfNeeded: source.low)) + bigEndian(UInt32(truncatingIfNeeded: destination.low))
            + transport
    }

    /// An IPv6 fixed header before `transport`.
    static func ipv6(_ source: IPAddress, _ destination: IPAddress, nextHeader: UInt8, _ transport: [UInt8]) -> [UInt8] {
        [0x60, 0, 0, 0] + bigEndian(UInt16(transport.count)) + [nextHeader, 64]
            + bigEndian(source.high) + bigEndian(source.low) + bigEndian(destination.high) + bigEndian(destination.low)
            + transport
    }

    /// Ethernet II around `network` (EtherType `etherType`), inside `vlans` (802.1Q, outermost
    /// first) and/or an MPLS label stack.
    static func ethernet(_ network: [UInt8], etherType: UInt16, vlans: [UInt16] = [], mpls: [UInt32] = []) -> [UInt8] {
        var bytes: [UInt8] = [0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2]
        for vlan in vlans { bytes += [0x81, 0x00] + bigEndian(vlan) }
        if mpls.isEmpty {
            bytes += bigEndian(etherType)
        } else {
            bytes += [0x88, 0x47]
            for (index, label) in mpls.enumerated() {
                bytes += bigEndian(label << 12 | (index == mpls.count - 1 ? 0x100 : 0) | 64)
            }
        }
        return bytes + network
    }

    /// Linux cooked capture v1 (`LINUX_SLL`) around `network`.
    static func linuxSLL(_ network: [UInt8], etherType: UInt16) -> [UInt8] {
        [0, 0, 0, 1, 0, 6, 0x02, 0, 0, 0, 0, 1, 0, 0] + bigEndian(etherType) + network
    }

    /// An Ethernet ARP request (no IP layer).
    static func arp(tag: [UInt8]) -> [UInt8] {
        ethernet([0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2] + tag, etherType: 0x0806)
    }
}

// MARK: - Traffic

/// The values the generated traffic uses, so that queries can be drawn from (and next to) them.
enum Pool {
    static let ipv4 = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.6", "10.0.1.9", "192.168.1.1", "192.168.1.2", "172.16.5.9"]
        .map { IPAddress($0)! }
    static let ipv6 = ["2001:db8::1", "2001:db8::2", "2001:db8:0:1::3", "fe80::1"].map { IPAddress($0)! }
    static let ports: [UInt16] = [22, 53, 80, 443, 8080, 40000, 40001, 40002, 40003, 40004]
    static let vlans: [UInt16] = [10, 20, 30]
    static let mplsLabels: [UInt32] = [16, 1000, 2000]
    /// 2024-03-01T10:00:00Z.
    static let start: Int64 = 1_709_287_200_000_000_000
}

/// `count` packets of mixed traffic: IPv4/IPv6 TCP and UDP, ICMP, ICMPv6, VLAN (one and two
/// tags), MPLS, ARP, later IPv4 fragments, truncated frames, and runs of Linux SLL frames. Every
/// packet but the truncated ones carries a unique sequence number in its payload. Times mostly
/// advance by up to 2 × `step` ns, but one packet in ten repeats the previous time and one in
/// ten goes back by up to 5 × `step`, so blocks are not time-ordered (net: about 0.55 × `step`
/// per packet).
func mixedTraffic(count: Int, seed: UInt64, start: Int64 = Pool.start, step: Int64 = 2_000_000) -> [StoredPacket] {
    var random = SplitMix64(state: seed)
    var packets: [StoredPacket] = []
    var time = start
    var cookedRun = false
    for sequence in 0..<count {
        if sequence % 40 == 0 { cookedRun = Int.random(in: 0..<6, using: &random) == 0 }
        switch Int.random(in: 0..<10, using: &random) {
        case 0: break  // same time as the previous packet
        case 1: time -= Int64.random(in: 0...(5 * step), using: &random)
        default: time += Int64.random(in: 1...(2 * step), using: &random)
        }
        let tag = Frame.bigEndian(UInt32(sequence)) + Array(repeating: UInt8(sequence & 0x7F), count: Int.random(in: 0...160, using: &random))
        let v4a = Pool.ipv4.randomElement(using: &random)!, v4b = Pool.ipv4.randomElement(using: &random)!
        let v6a = Pool.ipv6.randomElement(using: &random)!, v6b = Pool.ipv6.randomElement(using: &random)!
        let sport = Pool.ports.randomElement(using: &random)!, dport = Pool.ports.randomElement(using: &random)!
        let tcp4 = Frame.ipv4(v4a, v4b, protocol: 6, Frame.tcp(sport, dport, payload: tag))
        let udp4 = Frame.ipv4(v4a, v4b, protocol: 17, Frame.udp(sport, dport, payload: tag))
        let tcp6 = Frame.ipv6(v6a, v6b, nextHeader: 6, Frame.tcp(sport, dport, payload: tag))
        let udp6 = Frame.ipv6(v6a, v6b, nextHeader: 17, Frame.udp(sport, dport, payload: tag))
        if cookedRun {
            let bytes: [UInt8]
            switch Int.random(in: 0..<4, using: &random) {
            case 0: bytes = Frame.linuxSLL(tcp4, etherType: 0x0800)
            case 1: bytes = Frame.linuxSLL(udp4, etherType: 0x0800)
            case 2: bytes = Frame.linuxSLL(tcp6, etherType: 0x86DD)
            default: bytes = Frame.linuxSLL(udp6, etherType: 0x86DD)
            }
            packets.append(StoredPacket(time: time, linkType: .linuxSLL, bytes: bytes))
            continue
        }
        let bytes: [UInt8]
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<35: bytes = Frame.ethernet(tcp4, etherType: 0x0800)
        case 35..<50: bytes = Frame.ethernet(udp4, etherType: 0x0800)
        case 50..<62: bytes = Frame.ethernet(tcp6, etherType: 0x86DD)
        case 62..<68: bytes = Frame.ethernet(udp6, etherType: 0x86DD)
        case 68..<72: bytes = Frame.ethernet(Frame.ipv4(v4a, v4b, protocol: 1, Frame.icmpEcho(payload: tag)), etherType: 0x0800)
        case 72..<75: bytes = Frame.ethernet(Frame.ipv6(v6a, v6b, nextHeader: 58, Frame.icmpEcho(payload: tag)), etherType: 0x86DD)
        case 75..<83:
            let vlan = [Pool.vlans.randomElement(using: &random)!]
            bytes = Bool.random(using: &random) ? Frame.ethernet(tcp4, etherType: 0x0800, vlans: vlan)
                : Frame.ethernet(udp6, etherType: 0x86DD, vlans: vlan)
        case 83..<85:
            bytes = Frame.ethernet(udp4, etherType: 0x0800, vlans: [Pool.vlans.randomElement(using: &random)!, 4000])
        case 85..<90:
            let labels = Bool.random(using: &random) ? [Pool.mplsLabels.randomElement(using: &random)!]
                : [Pool.mplsLabels.randomElement(using: &random)!, 77]
            bytes = Frame.ethernet(Bool.random(using: &random) ? tcp4 : tcp6, etherType: 0, mpls: labels)
        case 90..<94: bytes = Frame.arp(tag: tag)
        case 94:
            // Cut short anywhere in the headers (even to nothing): indexed by what decodes.
            let full = Bool.random(using: &random) ? Frame.ethernet(tcp4, etherType: 0x0800, vlans: [10])
                : Frame.ethernet(tcp6, etherType: 0x86DD, vlans: [10])
            bytes = Array(full.prefix(Int.random(in: 0..<70, using: &random)))
        case 95..<97:
            // A later fragment: protocol 17, no ports.
            bytes = Frame.ethernet(Frame.ipv4(v4a, v4b, protocol: 17, tag, fragmentOffset: 185), etherType: 0x0800)
        default:
            bytes = Frame.ethernet(Frame.ipv4(v4a, v4b, protocol: 132, Frame.bigEndian(sport) + Frame.bigEndian(dport) + [0, 0, 0, 0, 0, 0, 0, 0] + tag),
                                   etherType: 0x0800)
        }
        packets.append(StoredPacket(time: time, bytes: bytes))
    }
    return packets
}

// MARK: - Stores and queries

/// A store written from `packets`, with the written packets and their decodings for the oracle.
final class TestStore {
    let directory = TemporaryDirectory()
    let packets: [StoredPacket]
    let decoded: [DecodedPacket]

    /// Writes `packets` (closing the writer unless `keepOpen`, which leaves the last segment
    /// active after a flush; the writer is then in ``writer``).
    init(_ packets: [StoredPacket], blockSize: Int = 4 << 10, segmentDuration: Int64 = 60_000_000_000,
         keepOpen: Bool = false) throws {
        self.packets = packets
        decoded = packets.map(\.decoded)
        var configuration = StoreWriter.Configuration()
        configuration.blockSize = blockSize
        configuration.segmentDuration = segmentDuration
        let writer = try StoreWriter(directory: directory.path, configuration: configuration, logger: storeTestLogger)
        for packet in packets { try packet.withRecord { try writer.append($0) } }
        if keepOpen {
            try writer.flush()
            self.writer = writer
        } else {
            try writer.close()
        }
    }

    /// The writer, when the store was left open.
    private(set) var writer: StoreWriter?

    deinit {
        try? writer?.close()
        directory.remove()
    }

    /// The packets that match, in time order (stable: equal times keep the order written).
    func bruteForce(_ expression: QueryExpression) -> [StoredPacket] {
        packets.indices
            .filter { expression.matches(decoded[$0], at: packets[$0].timestamp) }
            .sorted { (packets[$0].time, $0) < (packets[$1].time, $1) }
            .map { packets[$0] }
    }

    /// Runs `expression` through a fresh reader and executor.
    func query(_ expression: QueryExpression, limits: QueryLimits = QueryLimits()) throws -> QueryResult {
        let executor = try QueryExecutor(store: try StoreReader(directory: directory.path), expression: expression)
        var packets: [StoredPacket] = []
        let statistics = try executor.run(limits: limits) { packets.append(StoredPacket($0)) }
        return QueryResult(packets: packets, statistics: statistics, candidateBlockCount: executor.candidateBlockCount,
                           linkTypes: executor.linkTypes)
    }

    /// Every segment, opened.
    func segments() throws -> [SegmentReader] {
        try StoreReader(directory: directory.path).openSegments(overlapping: .all)
    }

    /// Number of blocks in the store.
    func blockCount() throws -> Int {
        try segments().reduce(0) { $0 + $1.blockCount }
    }
}

struct QueryResult {
    var packets: [StoredPacket]
    var statistics: QueryStatistics
    var candidateBlockCount: Int
    var linkTypes: [LinkType]
}

/// Where two packet sequences first differ, for readable failures; nil when equal.
func firstDifference(_ actual: [StoredPacket], _ expected: [StoredPacket]) -> String? {
    guard actual != expected else { return nil }
    for index in 0..<min(actual.count, expected.count) where actual[index] != expected[index] {
        return "counts \(actual.count) vs \(expected.count); first difference at \(index): \(actual[index]) vs \(expected[index])"
    }
    return "counts \(actual.count) vs \(expected.count)"
}
