import Synchronization

/// Stops a running ``Replayer`` from another thread (a signal handler's): the replayer sends what
/// it has queued and returns, at the latest one wait slice (0.1 s) after the stop.
public final class ReplayStopHandle: Sendable {
    private let requested = Atomic<Bool>(false)

    /// A handle that has not been stopped.
    public init() {}

    /// Asks the replayer to stop. Safe from any thread, any number of times.
    public func stop() {
        requested.store(true, ordering: .releasing)
    }

    /// Whether ``stop()`` was called.
    @inline(__always)
    public var isStopRequested: Bool {
        requested.load(ordering: .acquiring)
    }
}
