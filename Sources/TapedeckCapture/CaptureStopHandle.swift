import Synchronization
import TapedeckPOSIX

/// Stops a live source from another thread: ``stop()`` wakes a `next` that is waiting, and from
/// then on the source delivers what the kernel already captured and ends (see
/// ``LivePacketSource``).
///
/// Each source has one, as its `stopHandle`; it is `Sendable` so that a signal-handling or
/// control thread can hold it while the source itself stays on its capture thread.
public final class CaptureStopHandle: Sendable {
    private let requested = Atomic<Bool>(false)
    /// Readable once ``stop()`` was called; the source polls it next to its socket.
    let notifier: EventNotifier

    init() throws(Errno) {
        notifier = try EventNotifier()
    }

    /// Asks the source to stop. Safe from any thread, any number of times.
    public func stop() {
        requested.store(true, ordering: .releasing)
        notifier.notify()
    }

    /// Whether ``stop()`` was called.
    public var isStopRequested: Bool {
        requested.load(ordering: .acquiring)
    }
}
