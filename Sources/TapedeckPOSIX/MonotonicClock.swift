#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system's monotonic clock (`CLOCK_MONOTONIC`): time that only goes forward, at the rate of
/// real time, unaffected by changes of the wall clock. For schedules and rates.
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary start (boot) (`clock_gettime(CLOCK_MONOTONIC)`, a vDSO call).
    @inline(__always)
    public static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) &* 1_000_000_000 &+ Int64(spec.tv_nsec)
    }

    /// Sleeps until the clock reads `deadline` nanoseconds (`clock_nanosleep(CLOCK_MONOTONIC,
    /// TIMER_ABSTIME)`), at once when it has passed. A signal handler that interrupts the sleep
    /// resumes it towards the same deadline, so it never drifts. The kernel may wake the thread
    /// late by its timer slack (50 µs by default) and the scheduler's latency, never early.
    public static func sleep(until deadline: Int64) {
        var target = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        // clock_nanosleep returns the error number instead of setting errno; with a valid clock
        // and time the only one is EINTR.
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, nil) == EINTR {}
    }
}
