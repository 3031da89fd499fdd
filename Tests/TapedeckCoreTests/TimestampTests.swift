import Testing
import TapedeckCore

@Suite("Timestamp and CivilTime")
struct TimestampTests {
    @Test("RFC 3339 text with nine fractional digits", arguments: [
        (Int64(0), "1970-01-01T00:00:00.000000000Z"),
        (1_620_902_507_870_345_000, "2021-05-13T10:41:47.870345000Z"),
        (-1, "1969-12-31T23:59:59.999999999Z"),
        (-1_000_000_000, "1969-12-31T23:59:59.000000000Z"),
        (951_782_400_000_000_001, "2000-02-29T00:00:00.000000001Z"),
        (4_102_444_800_000_000_000, "2100-01-01T00:00:00.000000000Z"),
        (Int64.max, "2262-04-11T23:47:16.854775807Z"),
        (Int64.min, "1677-09-21T00:12:43.145224192Z"),
    ])
    func description(nanoseconds: Int64, text: String) {
        #expect(Timestamp(nanoseconds: nanoseconds).description == text)
    }

    @Test("seconds round toward the earlier time and the fraction stays in 0..<10⁹")
    func secondsAndFraction() {
        for nanoseconds: Int64 in [0, 1, 999_999_999, 1_000_000_000, -1, -999_999_999, -1_000_000_000, -1_000_000_001,
                                   .max, .min, .min + 1] {
            let time = Timestamp(nanoseconds: nanoseconds)
            #expect((0..<1_000_000_000).contains(time.nanosecondOfSecond), "\(nanoseconds)")
            #expect(time.seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue &+ time.nanosecondOfSecond
                        == nanoseconds, "\(nanoseconds)")
        }
        #expect(Timestamp(nanoseconds: -1).seconds == -1)
        #expect(Timestamp(seconds: -2, nanoseconds: 500_000_000).nanoseconds == -1_500_000_000)
    }

    @Test("advancing saturates at the representable range")
    func advanced() {
        #expect(Timestamp(nanoseconds: 5).advanced(byNanoseconds: -7).nanoseconds == -2)
        #expect(Timestamp.distantFuture.advanced(byNanoseconds: 1) == .distantFuture)
        #expect(Timestamp.distantPast.advanced(byNanoseconds: -1) == .distantPast)
    }

    @Test("civil time and seconds since the epoch round-trip over ±10 000 years")
    func civilRoundTrip() {
        var random = SplitMix64(state: 1970)
        let span: UInt64 = 2 * 10_000 * 366 * 86_400
        for _ in 0..<20_000 {
            let seconds = Int64(bitPattern: random.next() % span) - Int64(span / 2)
            let civil = CivilTime(secondsSinceEpoch: seconds)
            #expect(civil.secondsSinceEpoch == seconds, "\(seconds)")
            #expect((1...12).contains(civil.month) && (1...31).contains(civil.day) && (0...23).contains(civil.hour)
                        && (0...59).contains(civil.minute) && (0...59).contains(civil.second), "\(seconds)")
        }
    }

    @Test("calendar edge cases", arguments: [
        (CivilTime(year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0), 0),
        (CivilTime(year: 2000, month: 2, day: 29, hour: 12, minute: 0, second: 0), 951_825_600),
        (CivilTime(year: 1900, month: 3, day: 1, hour: 0, minute: 0, second: 0), -2_203_891_200),
        (CivilTime(year: 2038, month: 1, day: 19, hour: 3, minute: 14, second: 8), 2_147_483_648),
        (CivilTime(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59), -1),
    ] as [(CivilTime, Int64)])
    func civil(time: CivilTime, seconds: Int64) {
        #expect(time.secondsSinceEpoch == seconds)
        #expect(CivilTime(secondsSinceEpoch: seconds) == time)
    }

    @Test("time windows include their start and exclude their end")
    func windows() {
        let window = TimeWindow(start: Timestamp(nanoseconds: 10), end: Timestamp(nanoseconds: 20))
        #expect(window.contains(Timestamp(nanoseconds: 10)) && !window.contains(Timestamp(nanoseconds: 20)))
        #expect(window.overlaps(first: Timestamp(nanoseconds: 0), last: Timestamp(nanoseconds: 10)))
        #expect(!window.overlaps(first: Timestamp(nanoseconds: 20), last: Timestamp(nanoseconds: 30)))
        #expect(window.intersection(TimeWindow(start: Timestamp(nanoseconds: 20))).isEmpty)
        #expect(TimeWindow.all.contains(.distantPast) && !TimeWindow.all.contains(.distantFuture))
    }
}
