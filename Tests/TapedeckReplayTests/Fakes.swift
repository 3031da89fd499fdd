import Logging
import Synchronization
import TapedeckCore
import TapedeckReplay
import Testing

/// A clock the test moves: ``wait(until:)`` jumps to the deadline, and an injector may charge
/// time for sending. Starts at an arbitrary non-zero time.
final class FakeClock: ReplayClock {
    var time: Int64 = 1_000_000_000_000
    /// Every deadline waited for.
    var waits: [Int64] = []
    /// Called at every wait, before the clock jumps (to stop the replayer mid-wait, say).
    var onWait: ((Int64) -> Void)?

    func now() -> Int64 { time }

    func wait(until deadline: Int64) {
        waits.append(deadline)
        onWait?(deadline)
        time = max(time, deadline)
    }
}

/// An injector that keeps what it is given: every frame with the clock's time when its batch was
/// flushed, and the size of every batch. Sending a batch can be made to cost clock time.
final class FakeInjector: Injector {
    struct Sent: Equatable {
        var bytes: [UInt8]
        var time: Int64
    }

    let link: InjectionLink
    let batchLimit: Int
    private(set) var counts = InjectionCounts()
    let firstFailure: String? = nil

    private let clock: FakeClock
    private var queued: [[UInt8]] = []
    private(set) var sent: [Sent] = []
    private(set) var batches: [Int] = []
    /// Clock time a flush of `n` frames takes, given the number of flushes so far.
    var flushCost: (_ flush: Int, _ frames: Int) -> Int64 = { _, _ in 0 }
    /// Fail the flush with this number (from 0), if any.
    var failingFlush: Int?

    init(clock: FakeClock, batchLimit: Int = 64,
         link: InjectionLink = InjectionLink(interface: "fake0", linkType: .ethernet, mtu: 1500, headerLength: 14, allowsVLANTag: true)) {
        self.clock = clock
        self.batchLimit = batchLimit
        self.link = link
    }

    func enqueue(_ frame: UnsafeRawBufferPointer) throws(ReplayError) {
        #expect(queued.count < batchLimit, "the replayer queued more than batchLimit frames")
        #expect(frame.count <= link.maximumLength(of: frame), "the replayer queued a frame longer than the link takes")
        queued.append(Array(frame))
    }

    func flush() throws(ReplayError) {
        guard !queued.isEmpty else { return }
        if failingFlush == batches.count {
            counts.packetsFailed += queued.count
            queued = []
            throw .cannotInject(interface: link.interface, reason: "told to fail")
        }
        clock.time += flushCost(batches.count, queued.count)
        batches.append(queued.count)
        for frame in queued {
            sent.append(Sent(bytes: frame, time: clock.time))
            counts.packetsSent += 1
            counts.bytesSent += frame.count
        }
        queued = []
    }
}

/// One packet of an ``ArraySource``.
struct TestPacket {
    var time: Int64
    var bytes: [UInt8]
    var linkType: LinkType = .ethernet

    /// A packet of `length` bytes whose bytes say which it is (`tag`), captured at `time` ns.
    init(time: Int64 = 0, length: Int = 60, tag: UInt8 = 0, linkType: LinkType = .ethernet) {
        self.time = time
        self.linkType = linkType
        bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &+ Int(tag) &* 7) }
        if length > 0 { bytes[0] = tag }
    }
}

/// A source of packets held in memory; counts acknowledgements and whether it was closed; can
/// fail after a number of packets.
final class ArraySource: ReplaySource {
    let name: String
    private let packets: [TestPacket]
    private var index = 0
    private var buffer: UnsafeMutableRawBufferPointer
    var failAfter: Int?
    /// Before which packets (by index) the source would have to wait for input.
    var waitsBefore: Set<Int> = []
    /// How many packets each acknowledgement covered.
    private(set) var acknowledgements: [Int] = []
    /// How many packets had been returned at each acknowledgement.
    private(set) var returnedAtAcknowledgements: [Int] = []
    private(set) var closed = false

    init(_ packets: [TestPacket], name: String = "test source") {
        self.packets = packets
        self.name = name
        buffer = .allocate(byteCount: 1 << 17, alignment: 8)
    }

    deinit {
        buffer.deallocate()
    }

    func next() throws(ReplayError) -> PacketRecord? {
        if let failAfter, index == failAfter { throw .source(name: name, reason: "broken after \(failAfter)") }
        guard index < packets.count else { return nil }
        let packet = packets[index]
        index += 1
        // Reuse one buffer, as real sources do, so that a replayer keeping a record would see it change.
        packet.bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        return PacketRecord(timestamp: Timestamp(nanoseconds: packet.time), originalLength: UInt32(packet.bytes.count),
                            linkType: packet.linkType, bytes: UnsafeRawBufferPointer(rebasing: buffer[0..<packet.bytes.count]))
    }

    func hasPacketAtHand() -> Bool {
        !waitsBefore.contains(index)
    }

    func packetsSent(_ count: Int) {
        acknowledgements.append(count)
        returnedAtAcknowledgements.append(index)
    }

    func close() {
        closed = true
    }
}

/// An input of the given sources, each replayed from its start at every pass.
func input(_ sources: [() -> ArraySource]) -> ReplayInput {
    ReplayInput(sources.map { make in
        func open() throws(ReplayError) -> any ReplaySource { make() }
        return open
    })
}

/// A log handler that keeps the messages in a ``LogRecorder``, for tests.
struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        recorder.messages.withLock { $0.append("\(event.level): \(event.message)") }
    }
}

/// Collects what a logger logs.
final class LogRecorder: Sendable {
    let messages = Mutex<[String]>([])

    /// A logger whose messages end up here.
    var logger: Logger {
        Logger(label: "replay.tests") { _ in RecordingLogHandler(recorder: self) }
    }

    /// The messages so far.
    var all: [String] { messages.withLock { $0 } }
}
