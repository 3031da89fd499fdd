/// A point in time with nanosecond resolution, counted from the Unix epoch (UTC).
///
/// Packet times, block time ranges and query bounds all use this type, so that nanosecond
/// captures round-trip exactly and microsecond captures lose nothing.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Nanoseconds since 1970-01-01T00:00:00Z; negative values are before the epoch.
    public var nanoseconds: Int64

    /// Creates a timestamp from nanoseconds since the epoch.
    @inlinable
    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// Creates a timestamp from whole seconds and a nanosecond fraction (`0..<1_000_000_000`).
    @inlinable
    public init(seconds: Int64, nanoseconds fraction: Int64) {
        self.nanoseconds = seconds &* 1_000_000_000 &+ fraction
    }

    /// The earliest representable time.
    public static let distantPast = Timestamp(nanoseconds: .min)
    /// The latest representable time.
    public static let distantFuture = Timestamp(nanoseconds: .max)

    /// Whole seconds since the epoch, rounded towards negative infinity.
    @inlinable
    public var seconds: Int64 {
        nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds + 1) / 1_000_000_000 - 1
    }

    /// The nanoseconds within the second, `0..<1_000_000_000`.
    @inlinable
    public var nanosecondOfSecond: Int64 {
        // Wrapping arithmetic: `seconds * 10⁹` leaves Int64 near `distantPast`, the difference never does.
        nanoseconds &- seconds &* 1_000_000_000
    }

    /// Time order.
    @inlinable
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// The timestamp moved by a signed number of nanoseconds, saturating at the representable range.
    @inlinable
    public func advanced(byNanoseconds delta: Int64) -> Timestamp {
        let (sum, overflow) = nanoseconds.addingReportingOverflow(delta)
        if overflow { return delta > 0 ? .distantFuture : .distantPast }
        return Timestamp(nanoseconds: sum)
    }

    /// RFC 3339 in UTC with nine fractional digits, e.g. `2021-05-13T10:41:47.870345000Z`.
    public var description: String {
        String(ascii: Self.descriptionLength) { $0.write(self) }
    }

    /// The length of ``description``: always 30 (an Int64 of nanoseconds spans the years 1677…2262).
    public static let descriptionLength = 30
}

extension ASCIIWriter {
    /// Writes `timestamp`'s ``Timestamp/description`` (``Timestamp/descriptionLength`` bytes),
    /// digit by digit: the headers of every published message carry two.
    public mutating func write(_ timestamp: Timestamp) {
        let civil = CivilTime(secondsSinceEpoch: timestamp.seconds)
        write(UInt64(civil.year), digits: 4)
        write(UInt8(ascii: "-"))
        write(UInt64(civil.month), digits: 2)
        write(UInt8(ascii: "-"))
        write(UInt64(civil.day), digits: 2)
        write(UInt8(ascii: "T"))
        write(UInt64(civil.hour), digits: 2)
        write(UInt8(ascii: ":"))
        write(UInt64(civil.minute), digits: 2)
        write(UInt8(ascii: ":"))
        write(UInt64(civil.second), digits: 2)
        write(UInt8(ascii: "."))
        write(UInt64(timestamp.nanosecondOfSecond), digits: 9)
        write(UInt8(ascii: "Z"))
    }
}

/// A half-open time interval `[start, end)`; either bound may be open.
///
/// Queries use it for `after` (inclusive) and `before` (exclusive).
public struct TimeWindow: Hashable, Sendable {
    /// The first instant inside the window (inclusive).
    public var start: Timestamp
    /// The first instant after the window (exclusive).
    public var end: Timestamp

    /// Creates a window `[start, end)`.
    public init(start: Timestamp = .distantPast, end: Timestamp = .distantFuture) {
        self.start = start
        self.end = end
    }

    /// A window that contains every representable time.
    public static let all = TimeWindow()

    /// Whether `time` lies in `[start, end)`.
    @inlinable
    public func contains(_ time: Timestamp) -> Bool {
        time >= start && time < end
    }

    /// Whether any instant of the closed range `first...last` lies in the window.
    @inlinable
    public func overlaps(first: Timestamp, last: Timestamp) -> Bool {
        last >= start && first < end
    }

    /// The window of instants in both windows (possibly empty).
    public func intersection(_ other: TimeWindow) -> TimeWindow {
        TimeWindow(start: max(start, other.start), end: min(end, other.end))
    }

    /// Whether the window contains no instant.
    public var isEmpty: Bool { start >= end }
}

/// Calendar fields of a UTC time, computed without Foundation (proleptic Gregorian calendar).
public struct CivilTime: Hashable, Sendable {
    /// The year (astronomical numbering: 0 is 1 BC).
    public var year: Int64
    /// The month, 1…12.
    public var month: Int64
    /// The day of the month, 1…31.
    public var day: Int64
    /// The hour, 0…23.
    public var hour: Int64
    /// The minute, 0…59.
    public var minute: Int64
    /// The second, 0…59.
    public var second: Int64

    /// Splits seconds since the epoch into calendar fields (Howard Hinnant's `civil_from_days`).
    public init(secondsSinceEpoch: Int64) {
        var days = secondsSinceEpoch / 86_400
        var rest = secondsSinceEpoch % 86_400
        if rest < 0 { rest += 86_400; days -= 1 }
        hour = rest / 3600
        minute = rest % 3600 / 60
        second = rest % 60
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Creates calendar fields directly; no range checks.
    public init(year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// Seconds since the epoch for these fields (Howard Hinnant's `days_from_civil`).
    public var secondsSinceEpoch: Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return days * 86_400 + hour * 3600 + minute * 60 + second
    }
}
