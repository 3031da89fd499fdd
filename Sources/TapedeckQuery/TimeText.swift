import TapedeckCore

/// The time and duration syntax of the query language, for the other places that take times
/// from people and programs: command-line options, HTTP parameters, alert timestamps.
public enum TimeText {
    /// Parses an RFC 3339 date-time (`2024-05-01T10:00:00Z`, fractions to nanoseconds, `±HH:MM`
    /// or `±HHMM` offsets); nil if it is not one.
    public static func parseTime(_ text: String) -> Timestamp? {
        try? TimeParsing.parseRFC3339(text)
    }

    /// Parses a duration (`90s`, `1h30m`, `2d`, `250ms`) into nanoseconds; nil if it is not one.
    public static func parseDuration(_ text: String) -> Int64? {
        try? TimeParsing.parseDuration(text)
    }
}
