import TapedeckCore

/// RFC 3339 times and `1h30m`-style durations, without Foundation.
enum TimeParsing {
    /// Why a time or duration was rejected; the parser adds the position.
    struct Failure: Error {
        var message: String
    }

    /// Whether `text` looks like an RFC 3339 date-time rather than a duration (it starts with
    /// a four-digit year and a dash).
    static func looksLikeDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8.prefix(5))
        return bytes.count == 5 && bytes[0..<4].allSatisfy(isDigit) && bytes[4] == UInt8(ascii: "-")
    }

    /// Parses an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, with up to nine
    /// fractional digits; `T` and `Z` may be lower case, and `±HHMM` (no colon) is accepted too.
    static func parseRFC3339(_ text: String) throws(Failure) -> Timestamp {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int, _ field: String) throws(Failure) -> Int64 {
            guard index + digits <= bytes.count, bytes[index..<index + digits].allSatisfy(isDigit) else {
                throw Failure(message: "expected \(digits) digits for the \(field)")
            }
            var value: Int64 = 0
            for byte in bytes[index..<index + digits] { value = value * 10 + Int64(byte - UInt8(ascii: "0")) }
            index += digits
            return value
        }
        func expect(_ characters: String, _ what: String) throws(Failure) {
            guard index < bytes.count, characters.utf8.contains(bytes[index]) else {
                throw Failure(message: "expected \(what)")
            }
            index += 1
        }
        let year = try number(4, "year")
        try expect("-", "'-' after the year")
        let month = try number(2, "month")
        try expect("-", "'-' after the month")
        let day = try number(2, "day")
        try expect("Tt", "'T' between date and time")
        let hour = try number(2, "hour")
        try expect(":", "':' after the hour")
        let minute = try number(2, "minute")
        try expect(":", "':' after the minute")
        let second = try number(2, "second")
        var fraction: Int64 = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            let digits = index - start
            guard digits > 0 else { throw Failure(message: "expected digits after '.'") }
            guard digits <= 9 else { throw Failure(message: "more than 9 fractional digits") }
            for byte in bytes[start..<index] { fraction = fraction * 10 + Int64(byte - UInt8(ascii: "0")) }
            for _ in digits..<9 { fraction *= 10 }
        }
        var offsetSeconds: Int64 = 0
        guard index < bytes.count else { throw Failure(message: "expected 'Z' or a UTC offset like +01:00") }
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int64 = bytes[index] == UInt8(ascii: "+") ? 1 : -1
            index += 1
            let offsetHours = try number(2, "offset hours")
            if index < bytes.count, bytes[index] == UInt8(ascii: ":") { index += 1 }
            let offsetMinutes = try number(2, "offset minutes")
            guard offsetHours <= 23, offsetMinutes <= 59 else { throw Failure(message: "UTC offset out of range") }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        default:
            throw Failure(message: "expected 'Z' or a UTC offset like +01:00")
        }
        guard index == bytes.count else { throw Failure(message: "unexpected text after the UTC offset") }
        guard (1...12).contains(month) else { throw Failure(message: "month out of range") }
        guard (1...daysInMonth(year: year, month: month)).contains(day) else { throw Failure(message: "day out of range") }
        guard hour <= 23 else { throw Failure(message: "hour out of range") }
        guard minute <= 59 else { throw Failure(message: "minute out of range") }
        guard second <= 59 else { throw Failure(message: "second out of range") }
        let civil = CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        // Before the epoch, borrow a second so that the earliest instants do not overflow.
        let borrow: Int64 = civil.secondsSinceEpoch - offsetSeconds < 0 && fraction > 0 ? 1 : 0
        let seconds = civil.secondsSinceEpoch - offsetSeconds + borrow
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (nanoseconds, overflow2) = scaled.addingReportingOverflow(fraction - borrow * 1_000_000_000)
        guard !overflow, !overflow2 else { throw Failure(message: "time out of range (representable: 1677-09-21 to 2262-04-11)") }
        return Timestamp(nanoseconds: nanoseconds)
    }

    /// Parses a duration such as `90s`, `1h30m`, `2d` or `250ms` into nanoseconds: one or more
    /// numbers, each followed by a unit (`d`, `h`, `m`, `s`, `ms`, `us`/`µs`, `ns`; any case).
    static func parseDuration(_ text: String) throws(Failure) -> Int64 {
        let characters = Array(text.lowercased())
        guard !characters.isEmpty else { throw Failure(message: "empty duration") }
        var index = 0
        var total: Int64 = 0
        let tooLong = Failure(message: "duration too long")
        while index < characters.count {
            var value: Int64 = 0
            let digitsStart = index
            while index < characters.count, let digit = characters[index].wholeNumberValue, characters[index].isASCII {
                let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(Int64(digit))
                guard !overflow, !overflow2 else { throw tooLong }
                value = sum
                index += 1
            }
            guard index > digitsStart else { throw Failure(message: "expected a number") }
            let unitStart = index
            while index < characters.count, !(characters[index].isASCII && characters[index].isNumber) { index += 1 }
            let unit = String(characters[unitStart..<index])
            guard let scale = unitNanoseconds[unit] else {
                throw Failure(message: unit.isEmpty ? "missing unit (d, h, m, s, ms, us, ns)" : "unknown unit '\(unit)' (d, h, m, s, ms, us, ns)")
            }
            let (product, overflow) = value.multipliedReportingOverflow(by: scale)
            let (sum, overflow2) = total.addingReportingOverflow(product)
            guard !overflow, !overflow2 else { throw tooLong }
            total = sum
        }
        return total
    }

    /// Canonical RFC 3339 text: UTC, `Z`, and only as many fractional digits as needed.
    static func format(_ time: Timestamp) -> String {
        let seconds = time.seconds
        // The true difference lies in 0..<1e9; wrapping arithmetic keeps the instants closest
        // to `distantPast` from overflowing on the way.
        var fraction = time.nanoseconds &- seconds &* 1_000_000_000
        let civil = CivilTime(secondsSinceEpoch: seconds)
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        var text = "\(pad(civil.year, 4))-\(pad(civil.month, 2))-\(pad(civil.day, 2))T"
            + "\(pad(civil.hour, 2)):\(pad(civil.minute, 2)):\(pad(civil.second, 2))"
        if fraction != 0 {
            var width = 9
            while fraction % 10 == 0 { fraction /= 10; width -= 1 }
            text += "." + pad(fraction, width)
        }
        return text + "Z"
    }

    private static let unitNanoseconds: [String: Int64] = [
        "ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
        "m": 60_000_000_000, "h": 3_600_000_000_000, "d": 86_400_000_000_000,
    ]

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
