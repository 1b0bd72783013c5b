import Testing
@testable import HydraguardLog

@Suite struct TimestampTests {
    @Test func parsesWholeSecondsAndFormatsThemBack() throws {
        let ts = try #require(Timestamp(rfc3339: "2026-04-22T10:15:03Z"))
        // 2026-04-22 is day 20565 since 1970-01-01.
        #expect(ts.seconds == 20_565 * 86_400 + 10 * 3600 + 15 * 60 + 3)
        #expect(ts.microseconds % 1_000_000 == 0)
        #expect(ts.rfc3339 == "2026-04-22T10:15:03Z")
    }

    @Test func epochIsZero() {
        #expect(Timestamp(rfc3339: "1970-01-01T00:00:00Z")?.microseconds == 0)
        #expect(Timestamp(microseconds: 0).rfc3339 == "1970-01-01T00:00:00Z")
    }

    @Test(arguments: [
        ("2026-04-22T10:15:03.1Z", 100_000, "2026-04-22T10:15:03.100Z"),
        ("2026-04-22T10:15:03.123Z", 123_000, "2026-04-22T10:15:03.123Z"),
        ("2026-04-22T10:15:03.123456Z", 123_456, "2026-04-22T10:15:03.123456Z"),
        ("2026-04-22T10:15:03.000001Z", 1, "2026-04-22T10:15:03.000001Z"),
        ("2026-04-22T10:15:03.1234567Z", 123_456, "2026-04-22T10:15:03.123456Z"),
        ("2026-04-22T10:15:03.000Z", 0, "2026-04-22T10:15:03Z"),
    ])
    func fractions(text: String, micros: Int64, formatted: String) throws {
        let ts = try #require(Timestamp(rfc3339: text))
        #expect(ts.microseconds - ts.seconds * 1_000_000 == micros)
        #expect(ts.rfc3339 == formatted)
    }

    @Test func formatParseRoundTripOverManyInstants() throws {
        var micros: Int64 = -2_000_000_000_000_123
        while micros < 4_000_000_000_000_000 {
            let ts = Timestamp(microseconds: micros)
            let back = try #require(Timestamp(rfc3339: ts.rfc3339), "\(ts.rfc3339)")
            #expect(back == ts)
            micros += 7_777_777_777_777
        }
    }

    @Test func offsetsAreConvertedToUTC() throws {
        let utc = try #require(Timestamp(rfc3339: "2026-04-22T08:15:03Z"))
        #expect(Timestamp(rfc3339: "2026-04-22T10:15:03+02:00") == utc)
        #expect(Timestamp(rfc3339: "2026-04-22T03:45:03-04:30") == utc)
        #expect(Timestamp(rfc3339: "2026-04-22T08:15:03+00:00") == utc)
        // Across midnight and a year end.
        #expect(Timestamp(rfc3339: "2027-01-01T01:00:00+02:00") == Timestamp(rfc3339: "2026-12-31T23:00:00Z"))
    }

    @Test func lowercaseAndSpaceSeparatorsAreAccepted() {
        let ts = Timestamp(rfc3339: "2026-04-22T10:15:03Z")
        #expect(ts != nil)
        #expect(Timestamp(rfc3339: "2026-04-22t10:15:03z") == ts)
        #expect(Timestamp(rfc3339: "2026-04-22 10:15:03Z") == ts)
    }

    @Test func leapYears() throws {
        #expect(Timestamp(rfc3339: "2024-02-29T00:00:00Z") != nil)
        #expect(Timestamp(rfc3339: "2000-02-29T00:00:00Z") != nil)
        #expect(Timestamp(rfc3339: "2026-02-29T00:00:00Z") == nil)
        #expect(Timestamp(rfc3339: "1900-02-29T00:00:00Z") == nil)
        #expect(Timestamp(rfc3339: "2100-02-29T00:00:00Z") == nil)
        let feb29 = try #require(Timestamp(rfc3339: "2024-02-29T12:00:00Z"))
        let mar1 = try #require(Timestamp(rfc3339: "2024-03-01T12:00:00Z"))
        #expect(mar1.day - feb29.day == 1)
    }

    @Test func leapSecondClampsToTheSecondBefore() {
        #expect(Timestamp(rfc3339: "2016-12-31T23:59:60Z") == Timestamp(rfc3339: "2016-12-31T23:59:59Z"))
    }

    @Test(arguments: [
        "", "2026-04-22", "2026-04-22T10:15:03", "2026-04-22T10:15:03.Z", "2026-13-01T00:00:00Z",
        "2026-00-10T00:00:00Z", "2026-04-31T00:00:00Z", "2026-04-00T00:00:00Z", "2026-04-22T24:00:00Z",
        "2026-04-22T10:60:00Z", "2026-04-22T10:15:62Z", "2026/04/22T10:15:03Z", "2026-04-22X10:15:03Z",
        "2026-04-22T10:15:03+0200", "2026-04-22T10:15:03+02:00junk", "2026-04-22T10:15:03Zjunk",
        "26-04-22T10:15:03Z", "2026-4-22T10:15:03Z", "2026-04-22T10:15:03.12a4Z", "2026-04-22T10:15:03+25:00",
        "not a date at all, no", "1776982503",
    ])
    func invalidDatesAreNil(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    @Test func calendarHelpersAgree() {
        for days in stride(from: -800_000, to: 800_000, by: 997) {
            let (y, m, d) = Timestamp.civil(fromDays: days)
            #expect(Timestamp.daysFromCivil(year: y, month: m, day: d) == days)
        }
    }

    @Test func dayWeekdayAndSecondOfDay() throws {
        // 2026-04-22 is a Wednesday.
        let ts = try #require(Timestamp(rfc3339: "2026-04-22T10:15:03Z"))
        #expect(ts.weekday == 2)
        #expect(ts.secondOfDay == 10 * 3600 + 15 * 60 + 3)
        let before = try #require(Timestamp(rfc3339: "1969-12-31T23:59:59.5Z"))
        #expect(before.seconds == -1)
        #expect(before.day == -1)
        #expect(before.secondOfDay == 86_399)
        #expect(before.rfc3339 == "1969-12-31T23:59:59.500Z")
    }

    @Test func arithmeticAndOrdering() {
        let a = Timestamp(seconds: 100)
        let b = a.adding(seconds: 1.5)
        #expect(b.microseconds == 101_500_000)
        #expect(a < b)
        #expect(Timestamp(secondsSince1970: 101.5) == b)
        #expect(b.secondsSince1970 == 101.5)
    }
}
