// A minimal pcap and pcapng reader for tests: it parses what the writers produce and the
// committed fixture captures, checking structure strictly so that a malformed file fails a test.

import TapedeckCore

/// One packet read back from a capture file.
struct ReadPacket: Equatable {
    var timestamp: Timestamp
    var linkType: LinkType
    var interfaceID: Int
    var originalLength: UInt32
    var bytes: [UInt8]
}

/// A classic pcap file's header fields and packets.
struct ReadPcapFile {
    var magic: UInt32
    var bigEndian: Bool
    var version: (major: UInt16, minor: UInt16)
    var snapLength: UInt32
    var linkType: LinkType
    var packets: [ReadPacket]
}

/// A pcapng section's interfaces and packets.
struct ReadPcapngFile {
    struct Interface: Equatable {
        var linkType: LinkType
        var snapLength: UInt32
        /// `if_tsresol`, or 6 when absent.
        var resolution: UInt8
    }

    var interfaces: [Interface]
    var packets: [ReadPacket]
}

struct CaptureFileError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Bounds-checked integer reads from a byte array.
struct ByteReader {
    let bytes: [UInt8]
    var bigEndian = false

    func uint8(_ offset: Int) throws -> UInt8 {
        guard offset >= 0, offset < bytes.count else { throw CaptureFileError("read past end at \(offset)") }
        return bytes[offset]
    }

    func uint16(_ offset: Int) throws -> UInt16 {
        let (a, b) = (UInt16(try uint8(offset)), UInt16(try uint8(offset + 1)))
        return bigEndian ? a << 8 | b : b << 8 | a
    }

    func uint32(_ offset: Int) throws -> UInt32 {
        let (a, b) = (UInt32(try uint16(offset)), UInt32(try uint16(offset + 2)))
        return bigEndian ? a << 16 | b : b << 16 | a
    }

    func slice(_ offset: Int, _ count: Int) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset + count <= bytes.count else {
            throw CaptureFileError("\(count) bytes at \(offset) pass the end (\(bytes.count))")
        }
        return Array(bytes[offset..<offset + count])
    }
}

/// Parses a classic pcap file (either byte order, micro- or nanosecond magic).
func readPcap(_ bytes: [UInt8]) throws -> ReadPcapFile {
    var reader = ByteReader(bytes: bytes)
    let magic = try reader.uint32(0)
    let nanoseconds: Bool
    switch magic {
    case 0xA1B2_C3D4: nanoseconds = false
    case 0xA1B2_3C4D: nanoseconds = true
    case 0xD4C3_B2A1: nanoseconds = false; reader.bigEndian = true
    case 0x4D3C_B2A1: nanoseconds = true; reader.bigEndian = true
    default: throw CaptureFileError("bad pcap magic \(magic)")
    }
    var file = ReadPcapFile(magic: try reader.uint32(0), bigEndian: reader.bigEndian,
                            version: (try reader.uint16(4), try reader.uint16(6)),
                            snapLength: try reader.uint32(16), linkType: LinkType(rawValue: try reader.uint32(20) & 0xFFFF),
                            packets: [])
    var offset = 24
    while offset < bytes.count {
        let seconds = Int64(try reader.uint32(offset))
        let fraction = Int64(try reader.uint32(offset + 4))
        let capturedLength = Int(try reader.uint32(offset + 8))
        let originalLength = try reader.uint32(offset + 12)
        guard fraction < (nanoseconds ? 1_000_000_000 : 1_000_000) else { throw CaptureFileError("bad fraction at \(offset)") }
        let data = try reader.slice(offset + 16, capturedLength)
        file.packets.append(ReadPacket(timestamp: Timestamp(seconds: seconds, nanoseconds: nanoseconds ? fraction : fraction * 1000),
                                       linkType: file.linkType, interfaceID: 0, originalLength: originalLength, bytes: data))
        offset += 16 + capturedLength
    }
    return file
}

/// Parses a single-section pcapng file: SHB, IDBs (with `if_tsresol` powers of ten) and EPBs;
/// name-resolution and interface-statistics blocks are skipped, any other block is an error.
func readPcapng(_ bytes: [UInt8]) throws -> ReadPcapngFile {
    var reader = ByteReader(bytes: bytes)
    guard try reader.uint32(0) == 0x0A0D_0D0A else { throw CaptureFileError("no section header block") }
    switch try reader.uint32(8) {
    case 0x1A2B_3C4D: break
    case 0x4D3C_2B1A: reader.bigEndian = true
    default: throw CaptureFileError("bad byte-order magic")
    }
    var file = ReadPcapngFile(interfaces: [], packets: [])
    var offset = 0
    while offset < bytes.count {
        let type = try reader.uint32(offset)
        let length = Int(try reader.uint32(offset + 4))
        guard length >= 12, length % 4 == 0, try reader.uint32(offset + length - 4) == UInt32(length) else {
            throw CaptureFileError("bad block length \(length) at \(offset)")
        }
        switch type {
        case 0x0A0D_0D0A:
            guard offset == 0, try reader.uint16(offset + 12) == 1 else { throw CaptureFileError("unexpected section header") }
        case 1:
            var interface = ReadPcapngFile.Interface(linkType: LinkType(rawValue: UInt32(try reader.uint16(offset + 8))),
                                                     snapLength: try reader.uint32(offset + 12), resolution: 6)
            var option = offset + 16
            while option < offset + length - 4 {
                let code = try reader.uint16(option)
                let optionLength = Int(try reader.uint16(option + 2))
                if code == 0 { break }
                if code == 9 { interface.resolution = try reader.uint8(option + 4) }
                option += 4 + (optionLength + 3) / 4 * 4
            }
            file.interfaces.append(interface)
        case 6:
            let interfaceID = Int(try reader.uint32(offset + 8))
            guard interfaceID < file.interfaces.count else { throw CaptureFileError("undeclared interface \(interfaceID)") }
            let interface = file.interfaces[interfaceID]
            guard interface.resolution <= 9 else { throw CaptureFileError("unsupported resolution") }
            let units = UInt64(try reader.uint32(offset + 12)) << 32 | UInt64(try reader.uint32(offset + 16))
            var nanosecondsPerUnit: UInt64 = 1
            for _ in interface.resolution..<9 { nanosecondsPerUnit *= 10 }
            let capturedLength = Int(try reader.uint32(offset + 20))
            guard 32 + (capturedLength + 3) / 4 * 4 <= length else { throw CaptureFileError("packet passes its block") }
            file.packets.append(ReadPacket(timestamp: Timestamp(nanoseconds: Int64(units * nanosecondsPerUnit)),
                                           linkType: interface.linkType, interfaceID: interfaceID,
                                           originalLength: try reader.uint32(offset + 24),
                                           bytes: try reader.slice(offset + 28, capturedLength)))
        case 4, 5:
            break
        default:
            throw CaptureFileError("unexpected block type \(type) at \(offset)")
        }
        offset += length
    }
    return file
}

/// The packets of a pcap or pcapng file, told apart by their first four bytes.
func readCapture(_ bytes: [UInt8]) throws -> [ReadPacket] {
    bytes.starts(with: [0x0A, 0x0D, 0x0D, 0x0A]) ? try readPcapng(bytes).packets : try readPcap(bytes).packets
}
