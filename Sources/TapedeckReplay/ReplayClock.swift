import TapedeckPOSIX

/// The clock a ``Replayer`` schedules by: monotonic nanoseconds and a wait for a deadline. The
/// replayer's own clock is ``SystemReplayClock``; tests give it one that they move by hand.
public protocol ReplayClock {
    /// Nanoseconds since an arbitrary start; never goes back.
    func now() -> Int64

    /// Returns once ``now()`` has reached `deadline` (at once if it has).
    func wait(until deadline: Int64)
}

/// The system's monotonic clock (`clock_gettime(CLOCK_MONOTONIC)`). Waits longer than
/// ``spinThresholdNanoseconds`` sleep (`clock_nanosleep` with `TIMER_ABSTIME`) until that much
/// before the deadline and spin on the clock for the rest; shorter waits only spin. The kernel
/// wakes a sleeper up to its timer slack (50 µs) and the scheduler's latency late, which the spin
/// absorbs; spinning alone is exact to the clock's resolution, at the cost of a busy core, as
/// tcpreplay's default timer (`gtod`) does.
public struct SystemReplayClock: ReplayClock {
    /// Waits up to this long spin instead of sleeping. Default 100 µs.
    public var spinThresholdNanoseconds: Int64 = 100_000

    /// The clock with the default threshold.
    public init() {}

    @inline(__always)
    public func now() -> Int64 {
        MonotonicClock.now()
    }

    public func wait(until deadline: Int64) {
        var now = MonotonicClock.now()
        if deadline &- now > spinThresholdNanoseconds {
            MonotonicClock.sleep(until: deadline &- spinThresholdNanoseconds)
            now = MonotonicClock.now()
        }
        while now < deadline {
            now = MonotonicClock.now()
        }
    }
}
