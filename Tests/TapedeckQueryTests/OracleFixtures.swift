import Foundation
import TapedeckCore
@testable import TapedeckQuery

/// Ethernet frames built byte by byte, each paired with the ``DecodedPacket`` the decoder
/// contract prescribes for it, so that ``QueryExpression/matches(_:at:)`` can be compared with
/// tcpdump on the very same packets.
enum OracleFixtures {
    struct Fixture: Sendable {
        var name: String
        var frame: [UInt8]
        var decoded: DecodedPacket
    }

    /// Capture time of fixture `index`: one second apart.
    static func time(_ index: Int) -> Timestamp {
        Timestamp(seconds: 1_600_000_000 + Int64(index), nanoseconds: 0)
    }

    static let all: [Fixture] = [
        ipv4("10.0.0.1", "10.0.0.2", tcp(1234, 80), "TCP/IPv4"),
        ipv4("10.0.0.3", "192.168.1.1", udp(53, 5353), "UDP/IPv4"),
        ipv4("10.0.0.1", "8.8.8.8", .init(protocol: 1, bytes: [8, 0, 0, 0, 0, 1, 0, 1], ports: nil), "ICMP/IPv4"),
        ipv4("10.0.0.1", "10.0.0.2", .init(protocol: 6, bytes: [0, 80, 0, 80, 0, 0, 0, 0], ports: nil), "TCP/IPv4 later fragment",
             fragmentOffset: 185),
        ipv4("10.0.0.2", "10.0.0.1", tcp(80, 1234), "TCP/IPv4 first fragment", moreFragments: true),
        ipv6("2001:db8::1", "2001:db8::2", [], tcp(443, 50000), "TCP/IPv6"),
        ipv6("2001:db8::3", "2001:db8::1", [.hopByHop], udp(53, 53), "UDP/IPv6 behind Hop-by-Hop"),
        ipv6("2001:db8::2", "2001:db8::1", [.fragment(offset: 0, more: true)], tcp(80, 1234), "TCP/IPv6 first fragment"),
        ipv6("2001:db8::1", "2001:db8::3", [.fragment(offset: 100, more: false)],
             .init(protocol: 17, bytes: [0, 53, 0, 53, 0, 0, 0, 0], ports: nil), "UDP/IPv6 later fragment"),
        ipv6("fe80::1", "ff02::1", [], .init(protocol: 58, bytes: [135, 0, 0, 0, 0, 0, 0, 0], ports: nil), "ICMPv6"),
        arp("10.0.0.1", "10.0.0.2"),
        ipv6("2001:db8::2", "2001:db8::1", [], sctp(9, 80), "SCTP/IPv6"),
        ipv4("10.0.0.2", "10.0.0.9", sctp(80, 9), "SCTP/IPv4"),
        ipv4("10.0.0.9", "192.168.1.1", .init(protocol: 50, bytes: [0, 0, 0, 1, 0, 0, 0, 1], ports: nil), "ESP/IPv4"),
        ipv6("2001:db8::1", "2001:db8::2", [.destinationOptions], tcp(80, 80), "TCP/IPv6 behind Destination Options"),
        ipv6("2001:db8::1", "2001:db8::2", [], .init(protocol: 1, bytes: [8, 0, 0, 0, 0, 1, 0, 1], ports: nil), "ICMPv4 in IPv6"),
        ipv4("10.0.0.1", "10.0.0.2", .init(protocol: 58, bytes: [128, 0, 0, 0, 0, 1, 0, 1], ports: nil), "ICMPv6 in IPv4"),
        ipv4("10.0.0.1", "224.0.0.251", udp(5353, 5353), "mDNS/IPv4"),
        ipv6("2001:db8::9", "2001:db8::1", [], .init(protocol: 50, bytes: [0, 0, 0, 1, 0, 0, 0, 1], ports: nil), "ESP/IPv6"),
        ipv4("192.168.1.1", "10.0.0.3", udp(5353, 53), "UDP/IPv4 reply"),
    ]

    /// All fixtures as a pcap file (Ethernet, microseconds).
    static var pcap: [UInt8] {
        var bytes = littleEndian(UInt32(0xA1B2_C3D4))
        bytes += littleEndian(UInt16(2)) + littleEndian(UInt16(4))
        bytes += littleEndian(UInt32(0)) + littleEndian(UInt32(0)) + littleEndian(UInt32(65535)) + littleEndian(UInt32(1))
        for (index, fixture) in all.enumerated() {
            bytes += littleEndian(UInt32(time(index).seconds)) + littleEndian(UInt32(0))
            bytes += littleEndian(UInt32(fixture.frame.count)) + littleEndian(UInt32(fixture.frame.count))
            bytes += fixture.frame
        }
        return bytes
    }

    /// Indexes of the fixtures in a pcap that tcpdump wrote (recognised by their time).
    static func indexes(inPcap bytes: [UInt8]) -> [Int] {
        var result: [Int] = []
        var offset = 24
        while offset + 16 <= bytes.count {
            let seconds = Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 24
            let length = Int(bytes[offset + 8]) | Int(bytes[offset + 9]) << 8 | Int(bytes[offset + 10]) << 16 | Int(bytes[offset + 11]) << 24
            result.append(seconds - 1_600_000_000)
            offset += 16 + length
        }
        return result
    }

    // MARK: Builders

    struct Transport {
        var `protocol`: UInt8
        var bytes: [UInt8]
        var ports: (UInt16, UInt16)?
    }

    enum ExtensionHeader {
        case hopByHop, destinationOptions
        case fragment(offset: UInt16, more: Bool)

        var number: UInt8 {
            switch self {
            case .hopByHop: 0
            case .destinationOptions: 60
            case .fragment: 44
            }
        }
    }

    static func tcp(_ source: UInt16, _ destination: UInt16) -> Transport {
        Transport(protocol: 6, bytes: bigEndian(source) + bigEndian(destination) + [0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xFF, 0xFF, 0, 0, 0, 0],
                  ports: (source, destination))
    }

    static func udp(_ source: UInt16, _ destination: UInt16) -> Transport {
        Transport(protocol: 17, bytes: bigEndian(source) + bigEndian(destination) + [0, 8, 0, 0], ports: (source, destination))
    }

    static func sctp(_ source: UInt16, _ destination: UInt16) -> Transport {
        Transport(protocol: 132, bytes: bigEndian(source) + bigEndian(destination) + [0, 0, 0, 1, 0, 0, 0, 0], ports: (source, destination))
    }

    static func ipv4(_ source: String, _ destination: String, _ transport: Transport, _ name: String,
                     fragmentOffset: UInt16 = 0, moreFragments: Bool = false) -> Fixture {
        let flags: UInt16 = (moreFragments ? 0x2000 : 0) | fragmentOffset
        var header: [UInt8] = [0x45, 0] + bigEndian(UInt16(20 + transport.bytes.count)) + [0, 1] + bigEndian(flags)
        header += [64, transport.protocol, 0, 0] + addressBytes(source) + addressBytes(destination)
        let later = fragmentOffset != 0
        let decoded = Decoded.ipv4(source, destination, protocol: transport.protocol, ports: transport.ports,
                                   fragment: later ? .later : moreFragments ? .first : .none)
        return Fixture(name: name, frame: ethernet(0x0800, header + transport.bytes), decoded: decoded)
    }

    static func ipv6(_ source: String, _ destination: String, _ extensions: [ExtensionHeader], _ transport: Transport,
                     _ name: String) -> Fixture {
        var chain: [UInt8] = []
        var fragment = Decoded.Fragment.none
        for (index, header) in extensions.enumerated() {
            let next = index + 1 < extensions.count ? extensions[index + 1].number : transport.protocol
            switch header {
            case .hopByHop, .destinationOptions:
                chain += [next, 0, 1, 4, 0, 0, 0, 0]  // PadN over the six option bytes
            case let .fragment(offset, more):
                chain += [next, 0] + bigEndian(offset << 3 | (more ? 1 : 0)) + [0, 0, 0, 7]
                fragment = offset != 0 ? .later : .first
            }
        }
        let payload = chain + transport.bytes
        let first = extensions.first?.number ?? transport.protocol
        let header: [UInt8] = [0x60, 0, 0, 0] + bigEndian(UInt16(payload.count)) + [first, 64]
            + addressBytes(source) + addressBytes(destination)
        let decoded = Decoded.ipv6(source, destination, protocol: transport.protocol, firstNextHeader: first,
                                   ports: transport.ports, fragment: fragment)
        return Fixture(name: name, frame: ethernet(0x86DD, header + payload), decoded: decoded)
    }

    static func arp(_ sender: String, _ target: String) -> Fixture {
        let mac: [UInt8] = [2, 0, 0, 0, 0, 1]
        let body: [UInt8] = [0, 1, 8, 0, 6, 4, 0, 1] + mac + addressBytes(sender) + [0, 0, 0, 0, 0, 0] + addressBytes(target)
        return Fixture(name: "ARP", frame: ethernet(0x0806, body), decoded: Decoded.other(etherType: 0x0806))
    }

    static func ethernet(_ etherType: UInt16, _ payload: [UInt8]) -> [UInt8] {
        [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1] + bigEndian(etherType) + payload
    }

    static func addressBytes(_ text: String) -> [UInt8] {
        let address = ip(text)
        guard address.isIPv6 else { return bigEndian(UInt32(address.low)) }
        return bigEndian(address.high) + bigEndian(address.low)
    }

    static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<T.bitWidth / 8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<T.bitWidth / 8).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }
}

/// Runs /usr/bin/tcpdump over pipes (no files, so privilege dropping cannot get in the way).
enum Tcpdump {
    static let path = "/usr/bin/tcpdump"

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The pcap that `tcpdump -r - -w - filter` writes for `input`. libpcap refuses filters that
    /// its optimiser proves false ("expression rejects all packets"); that is no packet at all.
    static func filter(_ input: [UInt8], _ filter: String) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-r", "-", "-w", "-", filter]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let message = String(decoding: errors, as: UTF8.self)
        if process.terminationStatus != 0, message.contains("expression rejects all packets") {
            return []
        }
        guard process.terminationStatus == 0 else {
            throw Failure(description: "tcpdump '\(filter)' failed: \(message)")
        }
        return [UInt8](output)
    }
}
