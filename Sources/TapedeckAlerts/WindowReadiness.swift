import TapedeckCore

/// Whether the store can answer an alert's padded window yet: the rule that decides when
/// evidence is carved.
///
/// A window is complete when the store's newest packet is at or after its end (an imported,
/// historical store answers at once), or when the wall clock is past its end by the recorder's
/// flush latency (a live recorder makes packets queryable within that latency, so nothing
/// captured inside the window can still arrive). A window that ends before the store's oldest
/// packet was deleted by retention (or never recorded): it is expired and never completes.
public enum WindowReadiness: Equatable, Sendable {
    /// Carve now.
    case complete
    /// Not yet: ask again; at the latest the window is complete at this wall-clock time.
    case waitUntil(Timestamp)
    /// Nothing of the window is left in the store.
    case expired

    /// The default flush latency: a recorder flushes blocks at least every second.
    public static let defaultFlushLatency: Int64 = 1_000_000_000

    /// The readiness of `window` in a store whose packets span `oldest`…`newest` (nil for an
    /// empty store), at wall-clock time `now`.
    public static func of(_ window: TimeWindow, oldest: Timestamp?, newest: Timestamp?, now: Timestamp,
                          flushLatency: Int64 = defaultFlushLatency) -> WindowReadiness {
        if let oldest, window.end <= oldest { return .expired }
        if let newest, newest >= window.end { return .complete }
        let settled = window.end.advanced(byNanoseconds: flushLatency)
        return now >= settled ? .complete : .waitUntil(settled)
    }
}
