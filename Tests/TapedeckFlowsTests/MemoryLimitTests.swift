import Foundation
import TapedeckCore
import TapedeckFlows
import Testing

/// A SYN flood must not exhaust memory: the tracker's own accounting stays under its limit, and
/// so does the process's resident memory, with a generous margin.
@Suite("Memory limit: a million-flow SYN flood")
struct MemoryLimitTests {
    /// Resident set size of this process, bytes (`/proc/self/statm`, second field, in pages).
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }

    @Test("1,000,000 distinct SYN-only flows under a 16 MiB limit: accounted memory and RSS stay bounded, flows are evicted")
    func synFlood() {
        let limit = 16 << 20
        var configuration = FlowTrackerConfiguration()
        configuration.memoryLimit = limit
        let tracker = FlowTracker(configuration: configuration)
        var sink = CountingSink()
        // Ethernet + IPv4 + TCP SYN from 10.x.y.z:40000 to 192.0.2.1:80; the source address changes per packet.
        var frame: [UInt8] = [0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
                              0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 0, 192, 0, 2, 1,
                              0x9C, 0x40, 0, 80, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0, 0x50, 0x02, 0xFF, 0xFF, 0, 0, 0, 0]
        let flows = 1_000_000
        let residentBefore = Self.residentBytes()
        var residentPeak = residentBefore
        let start: Int64 = 1_700_000_000_000_000_000
        for index in 0..<flows {
            frame[27] = UInt8(truncatingIfNeeded: index >> 16)
            frame[28] = UInt8(truncatingIfNeeded: index >> 8)
            frame[29] = UInt8(truncatingIfNeeded: index)
            frame.withUnsafeBytes { bytes in
                tracker.process(PacketRecord(timestamp: Timestamp(nanoseconds: start + Int64(index) * 1000), originalLength: 54,
                                             linkType: .ethernet, bytes: bytes), into: &sink)
            }
            if index % 100_000 == 99_999 { residentPeak = max(residentPeak, Self.residentBytes()) }
        }
        let statistics = tracker.statistics
        tracker.flushAll(into: &sink)

        #expect(statistics.flowsCreated == flows)
        #expect(statistics.peakMemoryInUse <= limit)
        #expect(statistics.flowsClosed[.evicted] == flows - statistics.activeFlows)
        #expect(statistics.activeFlows > 10_000, "a 16 MiB limit holds tens of thousands of SYN-only flows")
        #expect(sink.finalChunks == flows && sink.packets == flows, "every flow emitted once, with its packet")
        let growth = residentPeak - residentBefore
        // Unbounded, a million flows take ~\(flows * FlowTracker.memoryCostPerFlow / 1_000_000) MB of state alone.
        #expect(growth < 8 * limit, "RSS grew by \(growth) bytes")
        print("SYN flood: \(flows) flows, limit \(limit) bytes: peak accounted \(statistics.peakMemoryInUse) bytes, "
            + "\(statistics.activeFlows) flows held at the end (\(statistics.memoryInUse / max(1, statistics.activeFlows)) bytes each, "
            + "\(FlowTracker.memoryCostPerFlow) fixed), \(statistics.flowsClosed[.evicted]) evicted; RSS before \(residentBefore >> 20) MiB, "
            + "peak \(residentPeak >> 20) MiB (growth \(growth >> 20) MiB)")
    }
}
