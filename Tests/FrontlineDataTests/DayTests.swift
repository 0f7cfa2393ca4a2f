import Testing
@testable import FrontlineData

@Suite struct DayTests {
    @Test func parsesISODates() throws {
        let d = try Day(iso: "2017-11-19")
        #expect(d.year == 2017 && d.month == 11 && d.day == 19)
        #expect(d.iso == "2017-11-19")
        #expect(d.longDescription == "19 November 2017")
        #expect(try Day(iso: "1970-01-01").daysSinceEpoch == 0)
        #expect(try Day(iso: "2000-03-01").daysSinceEpoch == 11017)
    }

    @Test(arguments: ["2017-1-05", "17-11-19", "2017/11/19", "", "2017-11-19x", "abcd-ef-gh", "2017-11", "+017-11-19", "２０１７-11-19"])
    func rejectsMalformedDates(_ text: String) {
        #expect(throws: DayError.malformed(text)) { try Day(iso: text) }
    }

    @Test(arguments: ["2017-02-29", "2017-13-01", "2017-00-10", "2017-04-31", "2017-11-00", "1900-02-29", "0000-01-01"])
    func rejectsImpossibleDates(_ text: String) {
        #expect(throws: DayError.impossible(text)) { try Day(iso: text) }
    }

    @Test func leapDaysAreReal() throws {
        #expect(try Day(iso: "2016-02-29").adding(days: 1).iso == "2016-03-01")
        #expect(try Day(iso: "2000-02-29").iso == "2000-02-29")
    }

    @Test func arithmeticCrossesYearsAndLeapYears() throws {
        let d = try Day(iso: "2015-12-31")
        #expect(d.adding(days: 1).iso == "2016-01-01")
        #expect(d.adding(days: 366).iso == "2016-12-31")
        #expect(try Day(iso: "2014-01-01").days(until: try Day(iso: "2019-03-31")) == 1915)
        #expect(try Day(iso: "2017-01-31").adding(months: 1).iso == "2017-02-28")
        #expect(try Day(iso: "2016-01-31").adding(months: 1).iso == "2016-02-29")
        #expect(try Day(iso: "2017-11-15").adding(months: 3).iso == "2018-02-15")
        #expect(try Day(iso: "2017-03-15").adding(months: -3).iso == "2016-12-15")
    }

    @Test func roundTripsEveryDayOfTheWar() throws {
        var d = try Day(iso: "2013-12-25")
        for _ in 0..<2200 {
            #expect(try Day(iso: d.iso) == d)
            let next = d.adding(days: 1)
            #expect(next > d)
            d = next
        }
    }

    @Test func stepsParseAndRejectNonsense() throws {
        #expect(try DayStep(parsing: "1d") == DayStep(count: 1, unit: .days))
        #expect(try DayStep(parsing: "7d") == DayStep(count: 7, unit: .days))
        #expect(try DayStep(parsing: "2w") == DayStep(count: 14, unit: .days))
        #expect(try DayStep(parsing: "1m") == DayStep(count: 1, unit: .months))
        for bad in ["0d", "d", "1y", "-1d", "", "1.5d", "99999d"] {
            #expect(throws: DayStepError.self) { try DayStep(parsing: bad) }
        }
    }

    @Test func stepSequencesIncludeBothEnds() throws {
        let a = try Day(iso: "2017-09-01"), b = try Day(iso: "2017-11-30")
        let weekly = try DayStep(parsing: "7d").days(from: a, through: b)
        #expect(weekly.count == 13)
        #expect(weekly.first == a && weekly.last?.iso == "2017-11-24")
        let monthly = try DayStep(parsing: "1m").days(from: try Day(iso: "2017-01-31"), through: try Day(iso: "2017-05-31"))
        #expect(monthly.map(\.iso) == ["2017-01-31", "2017-02-28", "2017-03-31", "2017-04-30", "2017-05-31"])
        #expect(try DayStep(parsing: "1d").days(from: b, through: a).isEmpty)
    }
}
