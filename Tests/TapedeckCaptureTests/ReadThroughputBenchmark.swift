import Foundation
import TapedeckCapture
import Testing

/// Read throughput of ``PcapFileReader``; runs only when `TAPEDECK_BENCH_PCAP` names a capture
/// file. `Benchmarks/capture-read.sh` runs it in release mode next to `tcpdump -r FILE -w /dev/null`
/// on the same file and prints the ratio.
@Suite struct ReadThroughputBenchmark {
    static let path = ProcessInfo.processInfo.environment["TAPEDECK_BENCH_PCAP"]

    @Test(.enabled(if: path != nil, "set TAPEDECK_BENCH_PCAP to a capture file"))
    func readWholeFile() throws {
        let path = try #require(Self.path)
        let runs = Int(ProcessInfo.processInfo.environment["TAPEDECK_BENCH_RUNS"] ?? "") ?? 5
        var best = Duration.seconds(1_000_000)
        var packets = 0
        var bytes = 0
        for _ in 0..<runs {
            let clock = ContinuousClock()
            let start = clock.now
            let reader = try PcapFileReader(path: path)
            packets = 0
            bytes = 0
            while let record = try reader.next() {
                packets += 1
                bytes += record.bytes.count
            }
            best = min(best, clock.now - start)
        }
        let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) / 1e18
        print("capture-read: \(packets) packets, \(bytes) captured bytes, best of \(runs): "
            + "\(String(format: "%.3f", seconds)) s, \(Int(Double(packets) / seconds)) packets/s, "
            + "\(String(format: "%.0f", Double(bytes) / seconds / 1e6)) MB/s")
        #expect(packets > 0)
    }
}
