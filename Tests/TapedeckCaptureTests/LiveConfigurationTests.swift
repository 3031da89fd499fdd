@testable import TapedeckCapture
import TapedeckCore
import TapedeckPOSIX
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The checks the live sources make before they open anything; none needs root.
@Suite struct LiveConfigurationTests {
    @Test func defaultsAreValid() throws {
        try AFPacketConfiguration(interface: "eth0").validate()
        try PcapLiveConfiguration(interface: "eth0").validate()
        let configuration = AFPacketConfiguration(interface: "eth0")
        #expect(configuration.ringSize == 64 << 20)
        #expect(configuration.blockSize == 1 << 20)
        #expect(configuration.blockCount == 64)
        #expect(configuration.blockTimeoutMilliseconds == 100)
        #expect(configuration.snapLength == 262_144)
        #expect(configuration.promiscuous)
        #expect(configuration.filter == nil)
        #expect(configuration.fanoutGroup == nil)
    }

    struct Case: CustomStringConvertible, Sendable {
        var description: String
        var change: @Sendable (inout AFPacketConfiguration) -> Void
        var reason: String
    }

    static let invalidCases: [Case] = [
        Case(description: "empty interface", change: { $0.interface = "" },
             reason: "interface name '' must have 1 to 15 bytes"),
        Case(description: "long interface", change: { $0.interface = "a-very-long-name" },
             reason: "interface name 'a-very-long-name' must have 1 to 15 bytes"),
        Case(description: "snap length 0", change: { $0.snapLength = 0 },
             reason: "snapshot length 0 must be 1 to 262144"),
        Case(description: "snap length too large", change: { $0.snapLength = 262_145 },
             reason: "snapshot length 262145 must be 1 to 262144"),
        Case(description: "block timeout 0", change: { $0.blockTimeoutMilliseconds = 0 },
             reason: "block timeout 0 ms must be 1 to 10000 ms"),
        Case(description: "block size not a page multiple", change: { $0.blockSize = 1000 },
             reason: "block size 1000 must be a positive multiple of the page size 4096"),
        Case(description: "frame size below the header", change: { $0.frameSize = 64 },
             reason: "frame size 64 must be a multiple of 16 from 68 to the block size 1048576"),
        Case(description: "frame size not aligned", change: { $0.frameSize = 2050 },
             reason: "frame size 2050 must be a multiple of 16 from 68 to the block size 1048576"),
        Case(description: "frame larger than a block", change: { $0.blockSize = 4096; $0.ringSize = 8192; $0.frameSize = 8192 },
             reason: "frame size 8192 must be a multiple of 16 from 68 to the block size 4096"),
        Case(description: "ring not a block multiple", change: { $0.ringSize = (3 << 20) / 2 },
             reason: "ring size 1572864 must be a multiple of the block size 1048576, at least two blocks"
                + " (one for the kernel to fill while the other is read), and below 4 GiB"),
        Case(description: "one block", change: { $0.ringSize = 1 << 20 },
             reason: "ring size 1048576 must be a multiple of the block size 1048576, at least two blocks"
                + " (one for the kernel to fill while the other is read), and below 4 GiB"),
        Case(description: "4 GiB ring", change: { $0.ringSize = 4 << 30 },
             reason: "ring size 4294967296 must be a multiple of the block size 1048576, at least two blocks"
                + " (one for the kernel to fill while the other is read), and below 4 GiB"),
    ]

    @Test(arguments: invalidCases)
    func invalidAFPacketConfigurationIsRefused(_ invalid: Case) {
        #expect(getpagesize() == 4096, "the expected messages assume 4 KiB pages")
        var configuration = AFPacketConfiguration(interface: "lo")
        invalid.change(&configuration)
        #expect(throws: CaptureError.invalidConfiguration(reason: invalid.reason)) { try configuration.validate() }
        // The source checks before it opens anything, so this needs no privileges.
        #expect(throws: CaptureError.invalidConfiguration(reason: invalid.reason)) {
            try AFPacketSource(configuration: configuration)
        }
    }

    @Test(arguments: [(1 << 20) - 1, Int(Int32.max) + 1])
    func pcapBufferSizeOutOfRangeIsRefused(_ size: Int) {
        var configuration = PcapLiveConfiguration(interface: "lo")
        configuration.bufferSize = size
        #expect(throws: CaptureError.invalidConfiguration(reason: "buffer size \(size) must be 1 MiB to 2 GiB")) {
            try PcapLiveSource(configuration: configuration)
        }
    }

    /// The filter is compiled before the socket is opened, so a bad one is reported as such.
    @Test func badFilterIsReportedBeforeAnythingIsOpened() {
        var configuration = AFPacketConfiguration(interface: "lo")
        configuration.filter = "tcp port 99999"
        #expect(throws: CaptureError.invalidFilter(expression: "tcp port 99999", reason: "illegal port number 99999 > 65535")) {
            try AFPacketSource(configuration: configuration)
        }
    }

    @Test func missingInterfaceIsReportedByName() throws {
        let error = try #require(throws: CaptureError.self) {
            try AFPacketSource(configuration: AFPacketConfiguration(interface: "tdnosuchif0"))
        }
        guard case .system(let interface, let errno) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(interface == "tdnosuchif0")
        #expect(errno.code == ENODEV)
        #expect(errno.function == "if_nametoindex")
    }

    @Test func waitsRoundUpToWholeMilliseconds() {
        let now = ContinuousClock.now
        #expect(LiveCapture.milliseconds(until: now - .seconds(1)) == 0)
        #expect(LiveCapture.milliseconds(until: now + .seconds(10)) > 9_000)
        #expect(LiveCapture.milliseconds(until: now + .seconds(10)) <= 10_000)
        #expect(LiveCapture.milliseconds(until: .now + .microseconds(1500)) == 2)
        #expect(LiveCapture.milliseconds(until: now + .seconds(Int64(1) << 40)) == Int32.max)
        #expect(LiveCapture.milliseconds(until: now + .milliseconds(Int.max)) == Int32.max)
    }
}
