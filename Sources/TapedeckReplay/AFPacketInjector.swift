import TapedeckPOSIX

#if canImport(Glibc)
import Glibc
#endif

/// Sends frames through an `AF_PACKET` raw socket bound to the interface, a batch per system call
/// (`sendmmsg(2)`): frames are copied into a ``MessageBatch`` and the kernel takes the whole batch
/// in one call, where tcpreplay makes a `send` per frame. That is what makes `--topspeed` fast.
///
/// ## Why `sendmmsg`, not a transmit ring
/// A `PACKET_TX_RING` (TPACKET_V2) version, measured on the same veth pair against the same file
/// in alternating rounds, sent 5 % fewer packets per second than this one at the same CPU time
/// (see BENCHMARKS.md); a ring also maps memory that the kernel lends to receivers while frames
/// are in flight, and a frame the kernel refuses stops the ring at that frame. With `sendmmsg`
/// each frame's fate is known: a refused frame is counted and the batch goes on.
///
/// ## Setting up
/// ``init(interface:)`` opens a raw packet socket bound to the interface with protocol 0 (it
/// receives nothing) and reads the interface's link layer and MTU. Sending needs root or
/// `CAP_NET_RAW`. Frames go through the interface's queueing discipline (no
/// `PACKET_QDISC_BYPASS`), so that taps on the interface (tcpdump, an IDS on a dummy interface)
/// see them.
///
/// ## Sending
/// ``flush()`` calls `sendmmsg` until the kernel has taken every queued frame. When the device
/// drops a frame for lack of room (`ENOBUFS`, `EAGAIN`; on a veth pair when the peer's backlog
/// is full), the injector waits 50 µs and sends from that frame again: backpressure, no loss.
/// A frame the kernel refuses (`EMSGSIZE`, `EINVAL`) is counted as failed, the first such error
/// is kept in ``firstFailure``, and the rest of the batch goes out. When the device has dropped
/// every frame for 2 s (the other end of a veth pair is down), or on any other error (`ENETDOWN`:
/// the interface went down), the replay ends and the unsent frames count as failed.
public final class AFPacketInjector: Injector {
    public let link: InjectionLink
    /// 256 frames, fewer for jumbo frames (the batch buffer holds about 1 MiB).
    public let batchLimit: Int
    public private(set) var counts = InjectionCounts()
    public private(set) var firstFailure: String?

    private let socket: TransmitSocket
    private let batch: MessageBatch

    /// Pause after `ENOBUFS` before sending again.
    private static let retryPauseNanoseconds: Int64 = 50_000
    /// How long the device may drop every frame before the replay fails.
    private static let patienceNanoseconds: Int64 = 2_000_000_000

    /// Opens `interface` for sending.
    ///
    /// - Throws: ``ReplayError/system(interface:_:)`` when a system call fails (`ENODEV`: no such
    ///   interface; `EPERM`: not root), ``ReplayError/cannotInject(interface:reason:)`` for a link
    ///   layer it does not send on.
    public init(interface: String) throws(ReplayError) {
        let socket: TransmitSocket
        do { socket = try TransmitSocket.open(interface: interface) } catch { throw .system(interface: interface, error) }
        do {
            link = try socket.link()
        } catch {
            socket.close()
            throw error
        }
        self.socket = socket
        batchLimit = min(256, max(1, (1 << 20) / link.largestFrame))
        batch = MessageBatch(capacity: batchLimit, largestFrame: link.largestFrame)
    }

    deinit {
        socket.close()
    }

    @inline(__always)
    public func enqueue(_ frame: UnsafeRawBufferPointer) throws(ReplayError) {
        if batch.isFull { try flush() }
        batch.append(frame)
    }

    public func flush() throws(ReplayError) {
        var next = 0
        var giveUp: Int64?
        defer { batch.removeAll() }
        while next < batch.count {
            do throws(Errno) {
                let sent = try socket.socket.sendMessages(batch.messages + next, count: batch.count &- next)
                for index in next..<next &+ sent { counts.bytesSent &+= batch.length(index) }
                counts.packetsSent &+= sent
                next &+= sent
                giveUp = nil
            } catch let error where error.code == ENOBUFS || error.code == EAGAIN {
                counts.retries &+= 1
                let now = MonotonicClock.now()
                if giveUp == nil { giveUp = now &+ Self.patienceNanoseconds }
                if let giveUp, now >= giveUp {
                    counts.packetsFailed &+= batch.count &- next
                    throw .cannotInject(interface: link.interface, reason: "the device has dropped every frame for"
                        + " \(Self.patienceNanoseconds / 1_000_000_000) s (\(error.message)); is the other end of the link down?")
                }
                MonotonicClock.sleep(until: now &+ Self.retryPauseNanoseconds)
            } catch let error where error.code == EMSGSIZE || error.code == EINVAL {
                counts.packetsFailed &+= 1
                if firstFailure == nil { firstFailure = "\(error.message) (a \(batch.length(next))-byte frame)" }
                next &+= 1
            } catch {
                counts.packetsFailed &+= batch.count &- next
                throw .system(interface: link.interface, error)
            }
        }
    }
}

@available(*, unavailable, message: "an injector belongs to one thread at a time")
extension AFPacketInjector: Sendable {}
