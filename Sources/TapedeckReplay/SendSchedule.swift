import TapedeckCore

/// When each packet of a replay is due, in nanoseconds after the replay's start, for a
/// ``ReplayRate``: an absolute schedule computed afresh for every packet from exact totals (packets
/// and bytes sent, capture time covered), so that rounding never accumulates and a late packet
/// does not move the ones after it.
///
/// | rate | packet *n* (from 0) is due at |
/// |---|---|
/// | ``ReplayRate/packetsPerSecond(_:)`` *r* | *n* / *r* |
/// | ``ReplayRate/megabitsPerSecond(_:)`` *r* | 8 × (bytes of packets 0..<*n*) / (*r* × 10⁶) |
/// | ``ReplayRate/multiplier(_:)`` *x* | (capture time from the first packet to packet *n*) / *x* |
/// | ``ReplayRate/topspeed`` | now (`nil`) |
///
/// Capture time only moves forward: a packet stamped earlier than the latest one before it in
/// the same pass covers no time; at a new pass (the next source, the next loop) the capture
/// clock starts over from the first packet, which follows the previous pass's last packet at
/// once. That is tcpreplay's `--multiplier`.
public struct SendSchedule: Hashable, Sendable {
    /// The rate.
    public let rate: ReplayRate
    /// Packets sent so far (``didSend(length:)``).
    public private(set) var packets: Int64 = 0
    /// Their bytes.
    public private(set) var bytes: Int64 = 0
    /// Nanoseconds of capture time covered so far, across passes.
    public private(set) var captureTime: Int64 = 0
    /// The latest capture time seen in this pass; `nil` before its first packet.
    private var latest: Timestamp?

    /// A schedule at the start of a replay.
    public init(rate: ReplayRate) {
        self.rate = rate
    }

    /// A new pass begins: its first packet covers no capture time.
    public mutating func startPass() {
        latest = nil
    }

    /// Notes the capture time of the next packet and returns when it is due, in nanoseconds after
    /// the start; `nil` for ``ReplayRate/topspeed``. Call it for every packet read, also for one
    /// that will be left out, so that its capture time counts.
    @inline(__always)
    public mutating func due(capturedAt timestamp: Timestamp) -> Int64? {
        switch rate {
        case .topspeed:
            return nil
        case .packetsPerSecond(let rate):
            return Int64((Double(packets) * 1e9 / rate).rounded())
        case .megabitsPerSecond(let rate):
            // bits × 10⁹ ns/s ÷ (rate × 10⁶ bits/s)
            return Int64((Double(bytes) * 8_000 / rate).rounded())
        case .multiplier(let factor):
            if let latest {
                if timestamp > latest {
                    captureTime &+= timestamp.nanoseconds &- latest.nanoseconds
                    self.latest = timestamp
                }
            } else {
                latest = timestamp
            }
            return Int64((Double(captureTime) / factor).rounded())
        }
    }

    /// The packet whose time ``due(capturedAt:)`` gave went out with `length` bytes.
    @inline(__always)
    public mutating func didSend(length: Int) {
        packets &+= 1
        bytes &+= Int64(length)
    }
}
