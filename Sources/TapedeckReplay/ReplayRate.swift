/// How fast a replay sends, as with tcpreplay's `--multiplier`, `--pps`, `--mbps` and
/// `--topspeed`.
///
/// Every rate but ``topspeed`` is an absolute schedule: packet *n* is due at a time computed from
/// the start of the replay (see ``SendSchedule``), so a late packet never delays the ones after it
/// and errors do not add up over a long replay.
public enum ReplayRate: Hashable, Sendable, CustomStringConvertible {
    /// The capture's own timing, with every gap between packets divided by the factor: 1 is the
    /// original speed, 2 twice as fast. Packets of one source that go back in time are due at
    /// once; the first packet of the next source (or loop) follows the last one of the previous
    /// source without a gap, as in tcpreplay.
    case multiplier(Double)

    /// A fixed number of packets per second: packet *n* (from 0) is due `n / rate` seconds after
    /// the start.
    case packetsPerSecond(Double)

    /// A fixed number of megabits (10⁶ bits) per second, counting each packet's captured bytes
    /// (what is sent, link-layer header included, without preamble, FCS or gaps), as tcpreplay
    /// does: packet *n* is due when the bits of the packets before it have had their time,
    /// `8 × Σ bytes / rate` after the start.
    case megabitsPerSecond(Double)

    /// As fast as the injector takes them, in batches.
    case topspeed

    public var description: String {
        switch self {
        case .multiplier(let factor): "\(factor)× the captured timing"
        case .packetsPerSecond(let rate): "\(rate) packets/s"
        case .megabitsPerSecond(let rate): "\(rate) Mbit/s"
        case .topspeed: "top speed"
        }
    }
}
