import TapedeckCapture
import TapedeckPOSIX

#if canImport(Glibc)
import Glibc
#endif

/// Sends frames with libpcap (`pcap_inject`, through ``PcapSender``), one system call per frame:
/// the fallback for when a raw packet socket does not suit, and what tools built on libpcap do.
///
/// Frames go out in ``enqueue(_:)``; ``flush()`` has nothing left to do. When the device queue is
/// full (`ENOBUFS`, `EAGAIN`) the frame is sent again after 50 µs, for up to 2 s; a frame libpcap
/// cannot send is counted as failed, the first failure is kept in ``firstFailure``, and the
/// replay goes on.
public final class PcapInjector: Injector {
    public let link: InjectionLink
    /// 1: frames leave as they are queued.
    public let batchLimit = 1
    public private(set) var counts = InjectionCounts()
    /// libpcap's message for the first frame that could not be sent, if any.
    public private(set) var firstFailure: String?

    private let sender: PcapSender
    private static let retryPauseNanoseconds: Int64 = 50_000
    private static let patienceNanoseconds: Int64 = 2_000_000_000

    /// Opens `interface` with libpcap; its link layer and MTU are read through a packet socket
    /// bound to it (see ``AFPacketInjector``).
    ///
    /// - Throws: ``ReplayError/cannotInject(interface:reason:)`` with libpcap's message when it
    ///   cannot open the interface, or for a link layer it does not send on;
    ///   ``ReplayError/system(interface:_:)`` when reading the link fails.
    public init(interface: String) throws(ReplayError) {
        let probe: TransmitSocket
        do { probe = try TransmitSocket.open(interface: interface) } catch { throw .system(interface: interface, error) }
        defer { probe.close() }
        link = try probe.link()
        do { sender = try PcapSender(interface: interface) } catch {
            throw .cannotInject(interface: interface, reason: error.description)
        }
    }

    public func enqueue(_ frame: UnsafeRawBufferPointer) throws(ReplayError) {
        var giveUp: Int64?
        while true {
            do throws(PcapSender.Failure) {
                try sender.send(frame)
                counts.packetsSent &+= 1
                counts.bytesSent &+= frame.count
                return
            } catch let failure where failure.code == ENOBUFS || failure.code == EAGAIN {
                counts.retries &+= 1
                let now = MonotonicClock.now()
                if giveUp == nil { giveUp = now &+ Self.patienceNanoseconds }
                if let giveUp, now >= giveUp {
                    fail(failure)
                    return
                }
                MonotonicClock.sleep(until: now &+ Self.retryPauseNanoseconds)
            } catch {
                fail(error)
                return
            }
        }
    }

    public func flush() throws(ReplayError) {}

    private func fail(_ failure: PcapSender.Failure) {
        counts.packetsFailed &+= 1
        if firstFailure == nil { firstFailure = failure.message }
    }
}

@available(*, unavailable, message: "an injector belongs to one thread at a time")
extension PcapInjector: Sendable {}
