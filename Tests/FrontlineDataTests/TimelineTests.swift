import Foundation
import Testing
import FrontlineTestSupport
@testable import FrontlineData

@Suite struct TimelineTests {
    func mini() throws -> Dataset {
        var w: [DataProblem] = []
        return try Dataset.load(directory: Fixtures.mini, warnings: &w)
    }

    @Test func snapshotTakesTheLastEventOnOrBeforeTheDay() throws {
        let ds = try mini()
        func controller(_ place: String, _ day: String) throws -> String? {
            ds.timeline.snapshot(on: try Day(iso: day))[place]
        }
        #expect(try controller("west-town", "2016-05-31") == nil)
        #expect(try controller("west-town", "2016-06-01") == "isis")
        #expect(try controller("west-town", "2017-05-31") == "isis")
        #expect(try controller("west-town", "2017-06-01") == "contested")
        #expect(try controller("west-town", "2017-06-15") == "syria_gov")
        #expect(try controller("west-town", "2017-06-20") == "isis")
        #expect(try controller("west-town", "2017-07-01") == "syria_gov")
        #expect(try controller("east-town", "2017-09-01") == "sdf")
        #expect(try controller("iraq-town", "2017-12-31") == "iraq_gov")
    }

    @Test func changesListEveryChangeOfHands() throws {
        let ds = try mini()
        let changes = ds.timeline.changes(after: try Day(iso: "2017-05-01"), through: try Day(iso: "2017-12-01"))
        let summary = changes.map { "\($0.event.date) \($0.event.place) \($0.previous ?? "-")→\($0.event.controller)" }
        #expect(summary == [
            "2017-06-01 west-town isis→contested",
            "2017-06-10 west-town contested→syria_gov",
            "2017-06-20 west-town syria_gov→isis",
            "2017-07-01 west-town isis→syria_gov",
            "2017-09-01 east-town syria_gov→sdf",
        ])
    }

    @Test func laterRowOnTheSameDayWins() throws {
        let a = ControlEvent(date: try Day(iso: "2017-11-09"), place: "abu-kamal", controller: "syria_gov", source: "https://x")
        let b = ControlEvent(date: try Day(iso: "2017-11-09"), place: "abu-kamal", controller: "isis", source: "https://y")
        let t = Timeline(events: [a, b])
        #expect(t.snapshot(on: try Day(iso: "2017-11-09"))["abu-kamal"] == "isis")
    }
}
