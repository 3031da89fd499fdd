import TapedeckCore

/// The `Date` header's format, IMF-fixdate (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`.
enum HTTPDate {
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `time` as IMF-fixdate.
    static func format(_ time: Timestamp) -> String {
        let seconds = time.seconds
        let civil = CivilTime(secondsSinceEpoch: seconds)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let weekday = weekdays[Int(((days % 7) + 7) % 7)]
        return "\(weekday), \(pad(civil.day)) \(months[Int(civil.month) - 1]) \(civil.year) "
            + "\(pad(civil.hour)):\(pad(civil.minute)):\(pad(civil.second)) GMT"
    }

    /// `time` as `YYYYMMDDTHHMMSSZ`, for file names.
    static func compact(_ time: Timestamp) -> String {
        let civil = CivilTime(secondsSinceEpoch: time.seconds)
        return "\(civil.year)\(pad(civil.month))\(pad(civil.day))T\(pad(civil.hour))\(pad(civil.minute))\(pad(civil.second))Z"
    }

    private static func pad(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
