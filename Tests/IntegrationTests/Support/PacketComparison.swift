/// Comparing packet lists the way the oracle contract states it.
enum PacketComparison {
    /// `packets` stable-sorted by time: equal times keep their order. Tapedeck's output is in
    /// this order (its merge breaks ties by segment, then block, then position in the block).
    static func timeOrdered(_ packets: [CapturedPacket]) -> [CapturedPacket] {
        packets.enumerated()
            .sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }
            .map(\.element)
    }

    /// Whether `packets` are already in non-decreasing time order.
    static func isTimeOrdered(_ packets: [CapturedPacket]) -> Bool {
        zip(packets, packets.dropFirst()).allSatisfy { $0.time <= $1.time }
    }

    /// Nil when `actual` equals `expected` packet for packet (time, lengths, link type, bytes,
    /// order); otherwise a description of the counts, byte totals and the first difference,
    /// and of the packets missing from or added to `actual`.
    static func difference(expected: [CapturedPacket], actual: [CapturedPacket]) -> String? {
        let count = min(expected.count, actual.count)
        var firstDifference: Int?
        for index in 0..<count where expected[index] != actual[index] {
            firstDifference = index
            break
        }
        if firstDifference == nil, expected.count == actual.count { return nil }
        let expectedBytes = expected.reduce(0) { $0 + $1.data.count }
        let actualBytes = actual.reduce(0) { $0 + $1.data.count }
        var text = "expected \(expected.count) packets (\(expectedBytes) bytes), got \(actual.count) (\(actualBytes) bytes)"
        if let index = firstDifference {
            text += "; first difference at packet \(index + 1): expected \(expected[index].summary), got \(actual[index].summary)"
            if expected[index].data != actual[index].data, expected[index].data.count == actual[index].data.count {
                text += " (same length, different bytes)"
            }
            let expectedSet = Set(expected.map(PacketKey.init)), actualSet = Set(actual.map(PacketKey.init))
            let missing = expected.filter { !actualSet.contains(PacketKey($0)) }
            let extra = actual.filter { !expectedSet.contains(PacketKey($0)) }
            text += "; \(missing.count) expected packets missing, \(extra.count) unexpected"
            if let first = missing.first { text += "; first missing: \(first.summary)" }
            if let first = extra.first { text += "; first unexpected: \(first.summary)" }
        } else {
            let longer = expected.count > actual.count ? expected : actual
            text += "; the first \(count) agree; next \(expected.count > actual.count ? "expected" : "unexpected"): \(longer[count].summary)"
        }
        return text
    }

}

/// A packet's identity (time, original length, bytes) for set and membership comparisons.
struct PacketKey: Hashable {
    var time: Int64
    var originalLength: UInt32
    var data: [UInt8]

    init(_ packet: CapturedPacket) {
        time = packet.time
        originalLength = packet.originalLength
        data = packet.data
    }
}
