import Foundation

/// One packet of a capture file, with its time normalised to nanoseconds since the epoch.
struct CapturedPacket: Equatable, Sendable {
    /// Capture time in nanoseconds (a microsecond file's time × 1000).
    var time: Int64
    /// The original (wire) length.
    var originalLength: UInt32
    /// The link type (`LINKTYPE_*`, lower 16 bits; FCS/reserved bits stripped).
    var linkType: UInt32
    /// The captured bytes.
    var data: [UInt8]

    /// One line for failure messages.
    var summary: String {
        "t=\(time) (\(RFC3339.format(time))) caplen=\(data.count) len=\(originalLength) linktype=\(linkType)"
    }
}

/// A small, independent reader for the capture files the tests compare: classic pcap
/// (microsecond `a1b2c3d4` and nanosecond `a1b23c4d` magic, either byte order) and pcapng
/// (either byte order, several sections and interfaces, `if_tsresol`, `if_tsoffset`; Enhanced,
/// Simple and obsolete Packet blocks).
///
/// It deliberately shares no code with Tapedeck: it is the yardstick for Tapedeck's output.
/// Parsing stops at the first damaged record; ``damageOffset`` then says where, and ``packetEnds``
/// gives the byte offset that follows each good packet (which is what tools report as the place
/// of the damage).
struct CaptureFile: Sendable {
    /// Which file format.
    enum Format: Equatable, Sendable {
        /// Classic pcap; `nanoseconds` for the `a1b23c4d` magic.
        case pcap(nanoseconds: Bool, bigEndian: Bool)
        /// pcapng.
        case pcapng
    }

    /// Why bytes are not a capture file at all.
    struct NotACapture: Error, CustomStringConvertible {
        var description: String
    }

    var format: Format
    /// The pcap header's link type, or every pcapng interface's, in order of appearance.
    var linkTypes: [UInt32]
    /// For pcapng, every interface's `if_tsresol` byte (6 = µs, 9 = ns) in order of appearance.
    var timestampResolutions: [UInt8] = []
    /// The packets, in file order.
    var packets: [CapturedPacket] = []
    /// Byte offset just after packet `i`'s record (pcap) or block (pcapng).
    var packetEnds: [Int] = []
    /// Byte offset where the file header (pcap) or the first section header block (pcapng) ends.
    var headerEnd: Int
    /// pcapng: byte offset just after each Interface Description Block.
    var interfaceEnds: [Int] = []
    /// Where parsing stopped because the rest is damaged or truncated; nil when the whole file was read.
    var damageOffset: Int?

    /// Reads a file.
    init(path: String) throws {
        try self.init(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    /// Parses `bytes`; throws only when the file header itself is unusable.
    init(bytes: [UInt8]) throws {
        guard bytes.count >= 4 else { throw NotACapture(description: "\(bytes.count) bytes: too short for a capture file") }
        let magicLE = Self.u32(bytes, 0, bigEndian: false)
        switch magicLE {
        case 0xA1B2_C3D4, 0xA1B2_3C4D, 0xD4C3_B2A1, 0x4D3C_B2A1:
            self = try Self.parsePcap(bytes)
        case 0x0A0D_0D0A:
            self = try Self.parsePcapng(bytes)
        default:
            throw NotACapture(description: "unknown magic 0x\(String(magicLE, radix: 16))")
        }
    }

    private init(format: Format, linkTypes: [UInt32], headerEnd: Int) {
        self.format = format
        self.linkTypes = linkTypes
        self.headerEnd = headerEnd
    }

    // MARK: pcap

    private static func parsePcap(_ bytes: [UInt8]) throws -> CaptureFile {
        guard bytes.count >= 24 else { throw NotACapture(description: "pcap file header truncated at \(bytes.count) bytes") }
        let magic = u32(bytes, 0, bigEndian: false)
        let bigEndian = magic == 0xD4C3_B2A1 || magic == 0x4D3C_B2A1
        let nanoseconds = magic == 0xA1B2_3C4D || magic == 0x4D3C_B2A1
        let linkType = u32(bytes, 20, bigEndian: bigEndian) & 0xFFFF
        // Files of format 2.0–2.2 have the two length fields the other way round; 2.3 files may
        // (libpcap swaps them there when the captured length exceeds the original).
        let version = (u16(bytes, 4, bigEndian: bigEndian), u16(bytes, 6, bigEndian: bigEndian))
        let alwaysSwapped = version.0 == 2 && version.1 < 3
        let maybeSwapped = version.0 == 2 && version.1 == 3
        var file = CaptureFile(format: .pcap(nanoseconds: nanoseconds, bigEndian: bigEndian), linkTypes: [linkType], headerEnd: 24)
        var offset = 24
        while offset < bytes.count {
            guard offset + 16 <= bytes.count else { file.damageOffset = offset; break }
            // libpcap reads both time fields as signed 32-bit integers.
            let seconds = Int64(Int32(bitPattern: u32(bytes, offset, bigEndian: bigEndian)))
            let fraction = Int64(Int32(bitPattern: u32(bytes, offset + 4, bigEndian: bigEndian)))
            var captured = Int(u32(bytes, offset + 8, bigEndian: bigEndian))
            var original = u32(bytes, offset + 12, bigEndian: bigEndian)
            if alwaysSwapped || (maybeSwapped && captured > Int(original)) {
                (captured, original) = (Int(original), UInt32(captured))
            }
            guard captured <= bytes.count - offset - 16 else { file.damageOffset = offset; break }
            let data = Array(bytes[offset + 16 ..< offset + 16 + captured])
            let time = seconds * 1_000_000_000 + fraction * (nanoseconds ? 1 : 1000)
            file.packets.append(CapturedPacket(time: time, originalLength: original, linkType: linkType, data: data))
            offset += 16 + captured
            file.packetEnds.append(offset)
        }
        return file
    }

    // MARK: pcapng

    private struct Interface {
        var linkType: UInt32
        var snapLength: UInt32
        /// Nanoseconds per tick as a fraction: ticks × numerator / denominator.
        var numerator: UInt64 = 1000
        var denominator: UInt64 = 1
        var offsetSeconds: Int64 = 0
    }

    private static func parsePcapng(_ bytes: [UInt8]) throws -> CaptureFile {
        guard bytes.count >= 28 else { throw NotACapture(description: "pcapng section header truncated at \(bytes.count) bytes") }
        var file = CaptureFile(format: .pcapng, linkTypes: [], headerEnd: 0)
        var bigEndian = false
        var interfaces: [Interface] = []
        var offset = 0
        while offset < bytes.count {
            guard offset + 12 <= bytes.count else { file.damageOffset = offset; break }
            let type = u32(bytes, offset, bigEndian: false)
            if type == 0x0A0D_0D0A {
                let order = u32(bytes, offset + 8, bigEndian: false)
                switch order {
                case 0x1A2B_3C4D: bigEndian = false
                case 0x4D3C_2B1A: bigEndian = true
                default:
                    if offset == 0 { throw NotACapture(description: "pcapng byte-order magic 0x\(String(order, radix: 16))") }
                    file.damageOffset = offset
                    return file
                }
                interfaces = []
            }
            let length = Int(u32(bytes, offset + 4, bigEndian: bigEndian))
            guard length >= 12, length % 4 == 0, length <= bytes.count - offset,
                  u32(bytes, offset + length - 4, bigEndian: bigEndian) == UInt32(length) else {
                if offset == 0 { throw NotACapture(description: "pcapng section header block damaged") }
                file.damageOffset = offset
                break
            }
            let body = offset + 8
            let bodyEnd = offset + length - 4
            let blockType = u32(bytes, offset, bigEndian: bigEndian)
            switch blockType {
            case 0x0A0D_0D0A:
                if offset == 0 { file.headerEnd = length }
            case 1:  // Interface Description Block
                guard bodyEnd - body >= 8 else { file.damageOffset = offset; return file }
                var interface = Interface(linkType: UInt32(u16(bytes, body, bigEndian: bigEndian)),
                                          snapLength: u32(bytes, body + 4, bigEndian: bigEndian))
                var resolution: UInt8 = 6
                var option = body + 8
                while option + 4 <= bodyEnd {
                    let code = u16(bytes, option, bigEndian: bigEndian)
                    let optionLength = Int(u16(bytes, option + 2, bigEndian: bigEndian))
                    if code == 0 || option + 4 + optionLength > bodyEnd { break }
                    if code == 9, optionLength >= 1 { resolution = bytes[option + 4] }
                    if code == 14, optionLength >= 8 {
                        interface.offsetSeconds = Int64(bitPattern: u64(bytes, option + 4, bigEndian: bigEndian))
                    }
                    option += 4 + (optionLength + 3) / 4 * 4
                }
                (interface.numerator, interface.denominator) = ticks(resolution)
                interfaces.append(interface)
                file.linkTypes.append(interface.linkType)
                file.interfaceEnds.append(offset + length)
                file.timestampResolutions.append(resolution)
            case 6, 2:  // Enhanced Packet Block, obsolete Packet Block
                guard bodyEnd - body >= 20 else { file.damageOffset = offset; return file }
                let interfaceID = blockType == 6 ? Int(u32(bytes, body, bigEndian: bigEndian)) : Int(u16(bytes, body, bigEndian: bigEndian))
                let ticks = UInt64(u32(bytes, body + 4, bigEndian: bigEndian)) << 32 | UInt64(u32(bytes, body + 8, bigEndian: bigEndian))
                let captured = Int(u32(bytes, body + 12, bigEndian: bigEndian))
                let original = u32(bytes, body + 16, bigEndian: bigEndian)
                guard interfaceID < interfaces.count, captured <= bodyEnd - body - 20 else { file.damageOffset = offset; return file }
                let interface = interfaces[interfaceID]
                let (product, overflow) = ticks.multipliedReportingOverflow(by: interface.numerator)
                let nanoseconds = overflow
                    ? Int64(Double(ticks) * Double(interface.numerator) / Double(interface.denominator))
                    : Int64(product / interface.denominator)
                file.packets.append(CapturedPacket(time: nanoseconds + interface.offsetSeconds * 1_000_000_000,
                                                   originalLength: original, linkType: interface.linkType,
                                                   data: Array(bytes[body + 20 ..< body + 20 + captured])))
                file.packetEnds.append(offset + length)
            case 3:  // Simple Packet Block: interface 0, no time
                guard bodyEnd - body >= 4, let interface = interfaces.first else { file.damageOffset = offset; return file }
                let original = u32(bytes, body, bigEndian: bigEndian)
                let captured = min(Int(original), interface.snapLength == 0 ? Int.max : Int(interface.snapLength), bodyEnd - body - 4)
                file.packets.append(CapturedPacket(time: 0, originalLength: original, linkType: interface.linkType,
                                                   data: Array(bytes[body + 4 ..< body + 4 + captured])))
                file.packetEnds.append(offset + length)
            default:
                break
            }
            offset += length
        }
        return file
    }

    /// Nanoseconds per tick for an `if_tsresol` byte, as numerator/denominator.
    private static func ticks(_ resolution: UInt8) -> (UInt64, UInt64) {
        let exponent = Int(resolution & 0x7F)
        if resolution & 0x80 == 0 {
            return exponent <= 9 ? (pow10(9 - exponent), 1) : (1, pow10(min(exponent - 9, 19)))
        }
        return (1_000_000_000, exponent < 64 ? UInt64(1) << exponent : UInt64.max)
    }

    private static func pow10(_ exponent: Int) -> UInt64 {
        (0..<exponent).reduce(UInt64(1)) { value, _ in value * 10 }
    }

    // MARK: Integers

    static func u16(_ bytes: [UInt8], _ offset: Int, bigEndian: Bool) -> UInt16 {
        let (a, b) = (UInt16(bytes[offset]), UInt16(bytes[offset + 1]))
        return bigEndian ? a << 8 | b : b << 8 | a
    }

    static func u32(_ bytes: [UInt8], _ offset: Int, bigEndian: Bool) -> UInt32 {
        var value: UInt32 = 0
        for index in 0..<4 {
            let byte = UInt32(bytes[offset + (bigEndian ? index : 3 - index)])
            value = value << 8 | byte
        }
        return value
    }

    static func u64(_ bytes: [UInt8], _ offset: Int, bigEndian: Bool) -> UInt64 {
        let first = UInt64(u32(bytes, offset, bigEndian: bigEndian))
        let second = UInt64(u32(bytes, offset + 4, bigEndian: bigEndian))
        return bigEndian ? first << 32 | second : second << 32 | first
    }
}

/// Writes classic little-endian pcap files (for inputs the tests build).
enum PcapWriter {
    /// A whole pcap file: nanosecond magic when `nanoseconds`, else microseconds (times truncated).
    static func file(_ packets: [CapturedPacket], linkType: UInt32, nanoseconds: Bool = false,
                     snapLength: UInt32 = 262_144) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24 + packets.reduce(0) { $0 + 16 + $1.data.count })
        append(&bytes, nanoseconds ? 0xA1B2_3C4D : 0xA1B2_C3D4)
        append16(&bytes, 2)
        append16(&bytes, 4)
        append(&bytes, 0)
        append(&bytes, 0)
        append(&bytes, snapLength)
        append(&bytes, linkType)
        for packet in packets {
            let seconds = packet.time.floorDivided(by: 1_000_000_000)
            let nanos = packet.time - seconds * 1_000_000_000
            append(&bytes, UInt32(truncatingIfNeeded: seconds))
            append(&bytes, UInt32(nanoseconds ? nanos : nanos / 1000))
            append(&bytes, UInt32(packet.data.count))
            append(&bytes, packet.originalLength)
            bytes += packet.data
        }
        return bytes
    }

    private static func append(_ bytes: inout [UInt8], _ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    private static func append16(_ bytes: inout [UInt8], _ value: UInt16) {
        bytes.append(UInt8(value & 0xFF))
        bytes.append(UInt8(value >> 8))
    }
}

extension Int64 {
    /// Division rounding towards negative infinity.
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
