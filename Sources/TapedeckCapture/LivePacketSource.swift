import TapedeckCore

/// A packet source on a network interface: packets arrive while it runs, and it ends only when
/// asked to stop.
///
/// ## A capture loop
/// ``next(timeoutMilliseconds:)`` waits a bounded time, so that the thread that drains a source
/// can also do periodic work (flush a block, log ``statistics()``) on a quiet link:
///
/// ```swift
/// while !source.isFinished {
///     if let packet = try source.next(timeoutMilliseconds: 250) {
///         store(packet)          // borrowed: copy it before the next call
///     } else {
///         flushIfDue()           // nothing arrived in time, or the source just finished
///     }
/// }
/// ```
///
/// ## Stopping
/// Another thread calls `stopHandle.stop()`. A waiting `next` returns at once; from then on the
/// source keeps returning the packets the kernel captured, waiting up to two block timeouts for
/// the block it was filling at the stop to be handed over, and then ``isFinished`` becomes `true`
/// and every `next` returns `nil`. Packets captured before the stop are therefore delivered, not
/// lost (tcpdump, stopped with SIGINT, leaves that last block behind). ``AFPacketSource`` also
/// takes no new packets after the stop, so it finishes even on a busy link and with a slow reader.
///
/// The plain ``PacketSource/next()`` waits as long as it takes: it returns `nil` only when the
/// source has finished.
///
/// ## Errors
/// A failure (the interface went away, a socket error) is thrown once and then by every later
/// call; packets returned before it are valid.
public protocol LivePacketSource: PacketSource {
    /// Stops this source from any thread.
    var stopHandle: CaptureStopHandle { get }

    /// Whether the source has stopped and delivered everything it captured before the stop.
    var isFinished: Bool { get }

    /// The next packet, borrowed until the following call, waiting at most `timeoutMilliseconds`
    /// (0: do not wait); `nil` when none arrived in time or the source has finished.
    mutating func next(timeoutMilliseconds: Int) throws(CaptureError) -> PacketRecord?

    /// The counters since the source was opened. Reading them also collects the kernel's
    /// counters, which are 32 bits wide and reset on every read: call this at least once a
    /// minute on a busy interface.
    mutating func statistics() throws(CaptureError) -> CaptureStatistics
}

extension LivePacketSource {
    /// The next packet, waiting as long as it takes; `nil` once the source has finished.
    public mutating func next() throws(CaptureError) -> PacketRecord? {
        while !isFinished {
            if let packet = try next(timeoutMilliseconds: 1000) {
                return packet
            }
        }
        return nil
    }
}
