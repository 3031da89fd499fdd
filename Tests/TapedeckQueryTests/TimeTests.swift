import TapedeckCore
import Testing
@testable import TapedeckQuery

@Suite("Times: RFC 3339 and relative durations")
struct TimeTests {
    @Test("RFC 3339 variants", arguments: [
        ("2012-11-03T11:05:00Z", utc(2012, 11, 3, 11, 5)),
        ("2012-11-03t11:05:00z", utc(2012, 11, 3, 11, 5)),
        ("2012-11-03T11:05:00.5Z", utc(2012, 11, 3, 11, 5, nanoseconds: 500_000_000)),
        ("2012-11-03T11:05:00.000001Z", utc(2012, 11, 3, 11, 5, nanoseconds: 1_000)),
        ("2012-11-03T11:05:00.123456789Z", utc(2012, 11, 3, 11, 5, nanoseconds: 123_456_789)),
        ("2012-11-03T11:05:00.000000001Z", utc(2012, 11, 3, 11, 5, nanoseconds: 1)),
        ("2012-11-03T12:05:00+01:00", utc(2012, 11, 3, 11, 5)),
        ("2012-11-03T06:35:00-04:30", utc(2012, 11, 3, 11, 5)),
        ("2012-11-03T11:05:00+00:00", utc(2012, 11, 3, 11, 5)),
        ("2012-11-03T11:05:00-00:00", utc(2012, 11, 3, 11, 5)),
        ("2012-11-04T00:35:00.25+13:30", utc(2012, 11, 3, 11, 5, nanoseconds: 250_000_000)),
        ("2020-11-13T18:21:24.551829+0000", utc(2020, 11, 13, 18, 21, 24, nanoseconds: 551_829_000)),
        ("2012-02-29T00:00:00Z", utc(2012, 2, 29)),
        ("2000-02-29T23:59:59Z", utc(2000, 2, 29, 23, 59, 59)),
        ("1970-01-01T00:00:00Z", Timestamp(nanoseconds: 0)),
        ("1969-12-31T23:59:59.999999999Z", Timestamp(nanoseconds: -1)),
        ("2262-04-11T23:47:16.854775807Z", Timestamp(nanoseconds: .max)),
        ("1677-09-21T00:12:44Z", Timestamp(nanoseconds: -9_223_372_036_000_000_000)),
        ("2000-01-01T00:30:00+01:00", utc(1999, 12, 31, 23, 30)),
    ] as [(String, Timestamp)])
    func rfc3339(text: String, expected: Timestamp) throws {
        #expect(try parse("after \(text)") == .timeAfter(expected))
        #expect(try parse("before \(text)") == .timeBefore(expected))
    }

    @Test("durations ago", arguments: [
        ("90s", Int64(90_000_000_000)),
        ("5m", 300_000_000_000),
        ("1h", 3_600_000_000_000),
        ("1h30m", 5_400_000_000_000),
        ("2d", 172_800_000_000_000),
        ("1d2h3m4s", 93_784_000_000_000),
        ("30m1h", 5_400_000_000_000),
        ("250ms", 250_000_000),
        ("1s500ms", 1_500_000_000),
        ("10us", 10_000),
        ("10µs", 10_000),
        ("10μs", 10_000),
        ("7ns", 7),
        ("0s", 0),
        ("1H30M", 5_400_000_000_000),
        ("100000d", 8_640_000_000_000_000_000),
    ])
    func relative(text: String, nanoseconds: Int64) throws {
        #expect(try parse("after \(text) ago") == .timeAfter(Timestamp(nanoseconds: testNow.nanoseconds - nanoseconds)))
        #expect(try parse("before \(text) ago") == .timeBefore(Timestamp(nanoseconds: testNow.nanoseconds - nanoseconds)))
    }

    @Test func relativeTimesFollowNow() throws {
        let earlier = Timestamp(nanoseconds: 1_000_000_000_000)
        #expect(try QueryExpression.parse("after 1s ago", now: earlier) == .timeAfter(Timestamp(nanoseconds: 999_000_000_000)))
    }

    @Test func relativeTimeSaturatesAtDistantPast() throws {
        let now = Timestamp(nanoseconds: -1_000_000_000_000_000_000)
        #expect(try QueryExpression.parse("after 100000d ago", now: now) == .timeAfter(.distantPast))
    }

    @Test("canonical format", arguments: [
        (Timestamp(nanoseconds: 0), "1970-01-01T00:00:00Z"),
        (utc(2012, 11, 3, 11, 5, nanoseconds: 500_000_000), "2012-11-03T11:05:00.5Z"),
        (utc(2012, 11, 3, 11, 5, nanoseconds: 120_000), "2012-11-03T11:05:00.00012Z"),
        (Timestamp(nanoseconds: -1), "1969-12-31T23:59:59.999999999Z"),
        (Timestamp(nanoseconds: .max), "2262-04-11T23:47:16.854775807Z"),
    ])
    func format(time: Timestamp, text: String) throws {
        #expect(TimeParsing.format(time) == text)
        #expect(try TimeParsing.parseRFC3339(text) == time)
    }

    /// Kept out of test arguments: `Timestamp.description` (TapedeckCore) traps within a second
    /// of `distantPast`, and Swift Testing describes arguments.
    @Test func earliestInstantsFormatAndParse() throws {
        for nanoseconds: Int64 in [.min, .min + 1, -9_223_372_036_000_000_001] {
            let text = TimeParsing.format(Timestamp(nanoseconds: nanoseconds))
            #expect(try TimeParsing.parseRFC3339(text).nanoseconds == nanoseconds, "\(text)")
        }
        #expect(TimeParsing.format(.distantPast) == "1677-09-21T00:12:43.145224192Z")
        #expect(try parse("after 1677-09-21T00:12:43.145224192Z") == .timeAfter(.distantPast))
    }
}
