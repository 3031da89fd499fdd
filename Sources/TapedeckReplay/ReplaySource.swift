import TapedeckCore

/// Where a replay's packets come from: a capture file (``CaptureReplaySource``), a source that
/// pushes packets to a callback such as a store query (``PushedPacketSource``), a Kafka topic
/// (`KafkaReplaySource`, in TapedeckDaemon). A pull-based source of borrowed records, like `PacketSource`, with two more hooks: an
/// acknowledgement that lets a source commit what was sent, and a close.
///
/// ## Borrowed records
/// ``next()`` returns a `PacketRecord` whose bytes stay valid until the next call to `next()` or
/// ``close()``. The replayer copies them into the injector's queue before it asks for more.
///
/// ## Acknowledgement
/// After every batch the injector has sent, the replayer calls ``packetsSent(_:)`` with the number
/// of packets, counted from the first `next()` returned, that have been handed to the kernel (or
/// counted as skipped or failed). That is every packet returned so far but at most one: the last,
/// when the rate holds it back, or a duration or a stop ends the replay before it goes out. A
/// source that must not lose its place (a Kafka consumer group commits its offsets there) commits
/// what is covered then, and only then, so that a replayer killed mid-batch resends rather than loses.
///
/// ## Threads
/// The replayer's thread owns the source from ``ReplayInput`` opening it to ``close()``.
public protocol ReplaySource: AnyObject {
    /// What the packets come from, for messages (a file path, a query).
    var name: String { get }

    /// The next packet, borrowed until the following call; `nil` at the end of the input.
    ///
    /// - Throws: ``ReplayError/capture(_:)`` or ``ReplayError/source(name:reason:)`` when the
    ///   input is damaged or unreachable; every packet before the damage has been returned.
    func next() throws(ReplayError) -> PacketRecord?

    /// The first `count` packets ``next()`` returned have been sent, skipped or counted as failed.
    func packetsSent(_ count: Int)

    /// Whether ``next()`` has a packet (or the end) at hand, without waiting for input. A source
    /// that can wait (a Kafka topic followed at its end, or not fetched yet) says `false` when it
    /// would, and the replayer sends what it has queued before it calls `next()`, so that no
    /// packet waits in the queue for input that may never come.
    func hasPacketAtHand() -> Bool

    /// The replay is done with the source: at the end of its input, at a limit, on a stop or a
    /// failure. Releases what it holds (threads, handles); `next()` is not called again.
    func close()
}

extension ReplaySource {
    /// Nothing to acknowledge.
    public func packetsSent(_ count: Int) {}

    /// Never waits: files and the store are read at once.
    public func hasPacketAtHand() -> Bool { true }

    /// Nothing to release.
    public func close() {}
}

/// What one pass of a replay reads: its sources in order, each opened when the pass reaches it,
/// and opened again for every loop.
public struct ReplayInput {
    /// Opens one source of the input.
    public typealias Opener = () throws(ReplayError) -> any ReplaySource

    /// The sources of a pass, in the order they are replayed.
    public var openers: [Opener]

    /// An input of the sources `openers` opens.
    public init(_ openers: [Opener]) {
        self.openers = openers
    }

    /// The capture files (pcap or pcapng) at `paths`, one after another.
    public static func files(_ paths: [String]) -> ReplayInput {
        ReplayInput(paths.map(opener(file:)))
    }

    /// A source that is open already (a Kafka topic, subscribed before anything is sent), for a
    /// replay of one pass: a second pass would get the same source, closed.
    public static func opened(_ source: any ReplaySource) -> ReplayInput {
        func open() -> any ReplaySource { source }
        return ReplayInput([open])
    }

    private static func opener(file path: String) -> Opener {
        // A local function rather than a closure: Swift 6.3 crashes emitting a closure literal
        // with a typed throw that returns an existential.
        func open() throws(ReplayError) -> any ReplaySource {
            try CaptureReplaySource(path: path)
        }
        return open
    }
}
