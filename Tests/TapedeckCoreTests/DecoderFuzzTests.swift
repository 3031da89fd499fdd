import Testing
import TapedeckCore

/// SplitMix64: a small seeded generator, so that fuzz runs are the same every time.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = next()
            for _ in 0..<min(8, count - index) {
                result[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return result
    }
}

@Suite("Decoder: random input")
struct DecoderFuzzTests {
    static let linkTypes: [LinkType] = [.ethernet, .linuxSLL, .linuxSLL2, .raw, .ipv4, .ipv6, .null, .loop,
                                        LinkType(rawValue: 147)]

    /// Decodes `bytes`, checks the invariants and determinism; returns a failure description.
    static func check(_ bytes: [UInt8], _ linkType: LinkType) -> String? {
        let packet = decode(bytes, linkType)
        if let violation = invariantViolation(packet, capturedLength: bytes.count) {
            return "\(linkType) \(bytes): \(violation)"
        }
        if decode(bytes, linkType) != packet { return "\(linkType) \(bytes): not deterministic" }
        return nil
    }

    @Test("200 000 random buffers decode without traps and keep the invariants")
    func randomBuffers() {
        var random = SplitMix64(state: 0x7A9E_DEC0)
        let etherTypes: [UInt16] = [0x0800, 0x86DD, 0x8100, 0x88A8, 0x9100, 0x8847, 0x8848, 0x8864]
        let nextHeaders: [UInt8] = [0, 1, 6, 17, 43, 44, 50, 51, 58, 59, 60, 132, 135]
        var failures: [String] = []
        for _ in 0..<200_000 {
            let linkType = Self.linkTypes[Int(random.next() % UInt64(Self.linkTypes.count))]
            var bytes = random.bytes(Int(random.next() % 160))
            // Half of the buffers get plausible headers, so that the deeper layers are reached.
            if random.next() & 1 == 0, bytes.count > 40 {
                let type = etherTypes[Int(random.next() % UInt64(etherTypes.count))]
                let ipStart: Int
                switch linkType {
                case .ethernet: (bytes[12], bytes[13], ipStart) = (UInt8(type >> 8), UInt8(type & 0xFF), 14)
                case .linuxSLL: (bytes[14], bytes[15], ipStart) = (UInt8(type >> 8), UInt8(type & 0xFF), 16)
                case .linuxSLL2: (bytes[0], bytes[1], ipStart) = (UInt8(type >> 8), UInt8(type & 0xFF), 20)
                case .null, .loop: (bytes[0], bytes[1], bytes[2], bytes[3], ipStart) = (0, 0, 0, random.next() & 1 == 0 ? 2 : 24, 4)
                default: ipStart = 0
                }
                let version: UInt8 = random.next() & 1 == 0 ? 0x45 : 0x60
                bytes[ipStart] = version | (bytes[ipStart] & (version == 0x45 ? 0x03 : 0x0F))
                if version == 0x60, ipStart + 6 < bytes.count {
                    bytes[ipStart + 6] = nextHeaders[Int(random.next() % UInt64(nextHeaders.count))]
                } else if ipStart + 9 < bytes.count {
                    bytes[ipStart + 9] = nextHeaders[Int(random.next() % UInt64(nextHeaders.count))]
                    bytes[ipStart + 6] &= 0x20  // mostly unfragmented
                }
            }
            if let failure = Self.check(bytes, linkType) { failures.append(failure) }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.first ?? "")")
    }

    @Test("hand-built packets with random bytes changed keep the invariants")
    func mutatedPackets() {
        var random = SplitMix64(state: 42)
        var failures: [String] = []
        for sample in SamplePackets.all where !sample.bytes.isEmpty {
            for _ in 0..<2_000 {
                var bytes = sample.bytes
                for _ in 0...(random.next() % 4) {
                    bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
                }
                bytes.removeLast(Int(random.next() % UInt64(bytes.count / 2 + 1)))
                if let failure = Self.check(bytes, sample.linkType) { failures.append("\(sample.name): \(failure)") }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, first: \(failures.first ?? "")")
    }
}
