import Testing
import TapedeckCore
@testable import TapedeckAlerts

@Suite("Window readiness")
struct WindowReadinessTests {
    static func t(_ seconds: Int64) -> Timestamp { Timestamp(seconds: seconds, nanoseconds: 0) }
    static let window = TimeWindow(start: t(100), end: t(200))

    @Test func aStoreWithLaterPacketsAnswersAtOnce() {
        #expect(WindowReadiness.of(Self.window, oldest: Self.t(0), newest: Self.t(200), now: Self.t(150)) == .complete)
        #expect(WindowReadiness.of(Self.window, oldest: Self.t(0), newest: Self.t(5000), now: Self.t(0)) == .complete)
    }

    @Test func aLiveStoreIsWaitedForUntilTheFlushLatencyPassed() {
        #expect(WindowReadiness.of(Self.window, oldest: Self.t(0), newest: Self.t(199), now: Self.t(150)) == .waitUntil(Self.t(201)))
        #expect(WindowReadiness.of(Self.window, oldest: Self.t(0), newest: Self.t(199), now: Self.t(200)) == .waitUntil(Self.t(201)))
        #expect(WindowReadiness.of(Self.window, oldest: Self.t(0), newest: Self.t(199), now: Self.t(201)) == .complete)
        #expect(WindowReadiness.of(Self.window, oldest: nil, newest: nil, now: Self.t(201)) == .complete)
        #expect(WindowReadiness.of(Self.window, oldest: Self.t(0), newest: Self.t(199), now: Self.t(203),
                                   flushLatency: 5_000_000_000) == .waitUntil(Self.t(205)))
    }

    @Test func aWindowBeforeTheOldestPacketExpired() {
        #expect(WindowReadiness.of(Self.window, oldest: Self.t(200), newest: Self.t(900), now: Self.t(1000)) == .expired)
        #expect(WindowReadiness.of(Self.window, oldest: Self.t(199), newest: Self.t(900), now: Self.t(1000)) == .complete)
    }
}
