/// RFC 3339 text for nanosecond times, computed by hand (no Foundation formatter, whose
/// sub-second precision stops at milliseconds), for `after`/`before` queries and messages.
enum RFC3339 {
    /// `2019-05-30T09:11:05.138576000Z`, or with `offsetMinutes` east of UTC,
    /// `2019-05-30T11:11:05.138576000+02:00` for the same instant.
    static func format(_ nanoseconds: Int64, offsetMinutes: Int = 0) -> String {
        let local = nanoseconds + Int64(offsetMinutes) * 60_000_000_000
        let seconds = local.floorDivided(by: 1_000_000_000)
        let fraction = local - seconds * 1_000_000_000
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(fraction, 9))"
        if offsetMinutes == 0 {
            text += "Z"
        } else {
            let magnitude = abs(offsetMinutes)
            text += (offsetMinutes < 0 ? "-" : "+") + "\(pad(Int64(magnitude / 60), 2)):\(pad(Int64(magnitude % 60), 2))"
        }
        return text
    }

    /// Parses the UTC form ``format(_:offsetMinutes:)`` writes (`YYYY-MM-DDTHH:MM:SS[.fraction]Z`)
    /// back to nanoseconds; nil for anything else.
    static func parseUTC(_ text: String) -> Int64? {
        let characters = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int64? {
            guard start + count <= characters.count else { return nil }
            var value: Int64 = 0
            for byte in characters[start ..< start + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard characters.count >= 20, characters.last == UInt8(ascii: "Z"),
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2) else { return nil }
        var fraction: Int64 = 0
        if characters[19] == UInt8(ascii: ".") {
            let digits = characters.count - 21
            guard digits >= 1, digits <= 9, let value = number(20, digits) else { return nil }
            fraction = value * (0 ..< 9 - digits).reduce(1) { product, _ in product * 10 }
        } else if characters.count != 20 {
            return nil
        }
        let seconds = days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
        return seconds * 1_000_000_000 + fraction
    }

    /// Howard Hinnant's `days_from_civil`: the day number of a proleptic Gregorian date.
    private static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = y.floorDivided(by: 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Howard Hinnant's `civil_from_days`: the proleptic Gregorian date of a day number.
    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
