@testable import TapedeckFlows
import TapedeckCore
import Testing

/// The flow table's index (open addressing, backward-shift deletion) and activity lists against
/// a dictionary and arrays doing the same.
@Suite("Flow table: index and activity lists")
struct FlowTableTests {
    static func key(_ number: Int) -> FlowKey {
        FiveTuple(ipProtocol: 17, source: IPAddress(ipv4: UInt32(truncatingIfNeeded: number % 97)), destination: IPAddress(ipv4: 1),
                  sourcePort: UInt16(truncatingIfNeeded: number), destinationPort: 53).flowKey
    }

    static func flow(_ number: Int) -> FlowState {
        let bytes: [UInt8] = []
        return bytes.withUnsafeBytes { buffer in
            FlowState(key: key(number), record: PacketRecord(timestamp: Timestamp(nanoseconds: Int64(number)), originalLength: 0,
                                                             linkType: .ethernet, bytes: buffer),
                      fromCanonicalSource: true, isTCP: false, segment: nil)
        }
    }

    @Test("random inserts, lookups and removals agree with a dictionary; lists stay in activity order")
    func againstModel() {
        var table = FlowTable()
        var model: [Int: Int32] = [:]
        var generator = SystemRandomNumberGenerator()
        var time: Int64 = 0
        for step in 0..<40_000 {
            let number = Int.random(in: 0..<3000, using: &generator)
            let key = Self.key(number)
            let hash = table.hash(key)
            let slot = table.slot(for: key, hash: hash)
            #expect(slot == model[number], "step \(step): key \(number)")
            time += 1
            switch (slot, Int.random(in: 0..<3, using: &generator)) {
            case (nil, _):
                var flow = Self.flow(number)
                flow.activity = time
                model[number] = table.insert(flow, hash: hash)
            case (let slot?, 0):
                #expect(table.remove(slot).key == key)
                model[number] = nil
            case (let slot?, _):
                table.touch(slot, activityClass: number % 2 == 0 ? .udp : .other, time: time)
            }
        }
        #expect(table.count == model.count)
        for (number, slot) in model {
            #expect(table.slot(for: Self.key(number), hash: table.hash(Self.key(number))) == slot)
        }
        for activityClass in [ActivityClass.udp, .other] {
            var times: [Int64] = []
            var slot = table.oldest(in: activityClass)
            while let current = slot {
                times.append(table[current].activity)
                slot = table[current].newer >= 0 ? table[current].newer : nil
            }
            #expect(times == times.sorted(), "\(activityClass) list in order of activity")
        }
        #expect(Set(table.allSlots) == Set(model.values))
    }
}
