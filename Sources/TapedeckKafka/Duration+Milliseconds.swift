extension Duration {
    /// Whole milliseconds, rounded down and clamped to `0...Int32.max`, for librdkafka's `timeout_ms`
    /// arguments and `*.ms` properties.
    var milliseconds: Int32 {
        let (seconds, attoseconds) = components
        let total = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, total))
    }
}
