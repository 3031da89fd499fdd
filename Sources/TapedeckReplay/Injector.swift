/// Puts frames on an interface: an AF_PACKET socket that sends in `sendmmsg` batches
/// (``AFPacketInjector``, the default) or libpcap (``PcapInjector``). A ``Replayer`` decides what
/// to send and when; an injector only sends.
///
/// ## Batches
/// The replayer queues frames with ``enqueue(_:)`` (which copies them, so the source may reuse
/// its buffer) and sends what is queued with ``flush()``: when a frame is due later than now,
/// when ``batchLimit`` frames are queued, and at the end. An injector that sends each frame at
/// once (libpcap) does so in `enqueue` and has nothing left for `flush`.
///
/// Frames are sent in the order they were queued, byte for byte. The replayer has already left
/// out frames longer than ``link`` allows (or cut them), so a frame the kernel refuses is a
/// failure, not a policy.
///
/// ## Threads
/// One thread at a time uses an injector.
public protocol Injector: AnyObject {
    /// The interface and what it sends.
    var link: InjectionLink { get }

    /// The most frames the replayer queues before it calls ``flush()``.
    var batchLimit: Int { get }

    /// What the injector has sent, failed to send and retried since it was opened.
    var counts: InjectionCounts { get }

    /// Why the first frame that failed without ending the replay could not be sent (the kernel's
    /// or libpcap's message); `nil` when none did.
    var firstFailure: String? { get }

    /// Copies `frame` (at most ``InjectionLink/maximumLength(of:)`` bytes) into the send queue,
    /// first sending what is queued when the queue has no room.
    ///
    /// - Throws: ``ReplayError/system(interface:_:)`` or ``ReplayError/cannotInject(interface:reason:)``
    ///   when the interface fails for good; ``counts`` then tells what went out.
    func enqueue(_ frame: UnsafeRawBufferPointer) throws(ReplayError)

    /// Sends every queued frame and returns once the kernel has taken them.
    ///
    /// - Throws: as ``enqueue(_:)``.
    func flush() throws(ReplayError)
}

/// The totals of an ``Injector``, as tcpreplay counts them.
public struct InjectionCounts: Hashable, Sendable {
    /// Frames the kernel took.
    public var packetsSent = 0
    /// Their bytes.
    public var bytesSent = 0
    /// Frames that could not be sent.
    public var packetsFailed = 0
    /// Times the device queue was full (`ENOBUFS`, `EAGAIN`) and a send was tried again after a
    /// pause; the frames were sent then (or counted as failed).
    public var retries = 0

    /// All zero.
    public init() {}
}
