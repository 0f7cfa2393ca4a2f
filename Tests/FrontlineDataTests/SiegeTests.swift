import Foundation
import Testing
import FrontlineTestSupport
@testable import FrontlineData

@Suite struct SiegeTests {
    func load(_ dir: String) throws -> Dataset {
        var w: [DataProblem] = []
        return try Dataset.load(directory: dir, warnings: &w)
    }

    /// Loads a broken copy of the fixture and returns its load errors, or its siege problems
    /// when it loads.
    func problems(_ siegeRows: [String], timeline: [String] = []) throws -> [String] {
        let dir = try Fixtures.copyOfMini()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for r in siegeRows { try Fixtures.append(r, to: dir + "/sieges/mini.csv") }
        for r in timeline { try Fixtures.append(r, to: dir + "/timeline/events.csv") }
        do {
            return try load(dir).siegeProblems().map { $0.description.replacingOccurrences(of: dir + "/", with: "") }
        } catch let e as DataProblems {
            return e.problems.map { $0.description.replacingOccurrences(of: dir + "/", with: "") }
        }
    }

    @Test func theFixtureSiegeIsOnBetweenItsDays() throws {
        let ds = try load(Fixtures.mini)
        #expect(ds.sieges.count == 1)
        let s = try #require(ds.sieges.first)
        #expect(s.place == "east-town" && s.besieger == "isis")
        #expect(s.note == "cut off by ISIS, supplied by air")
        #expect(ds.sieges(on: try Day(iso: "2016-06-30"))["east-town"] == nil)
        #expect(ds.sieges(on: try Day(iso: "2016-07-01"))["east-town"]?.besieger == "isis")
        #expect(ds.sieges(on: try Day(iso: "2017-08-31"))["east-town"] != nil)
        #expect(ds.sieges(on: try Day(iso: "2017-09-01")).isEmpty)
        #expect(ds.siegeProblems().isEmpty)
    }

    @Test func badRowsAreReportedWithFileAndLine() throws {
        let p = try problems([
            "atlantis,isis,2016-07-01,2016-08-01,https://x.org,",
            "east-town,martians,2016-07-01,2016-08-01,https://x.org,",
            "east-town,isis,2016-08-01,2016-07-01,https://x.org,",
            "east-town,isis,2016-02-30,2016-07-01,https://x.org,",
            "east-town,isis,2016-07-01,2016-08-01,,",
        ])
        #expect(p.count == 5, "\(p)")
        #expect(p.contains { $0.hasPrefix("sieges/mini.csv:3: unknown place 'atlantis'") })
        #expect(p.contains { $0.hasPrefix("sieges/mini.csv:4: unknown besieger 'martians'") })
        #expect(p.contains { $0.hasPrefix("sieges/mini.csv:5: siege of 'east-town' ends") })
        #expect(p.contains { $0.hasPrefix("sieges/mini.csv:6: start:") })
        #expect(p.contains { $0.hasPrefix("sieges/mini.csv:7: siege of 'east-town' has no source URL") })
    }

    @Test func aSiegeMustLieInsideOneHoldersPeriod() throws {
        // west-town: isis from 2016-06-01, contested 2017-06-01, syria_gov 2017-06-10, isis 2017-06-20.
        let p = try problems([
            // The besieger itself holds the town.
            "west-town,isis,2016-07-01,2016-08-01,https://x.org,",
            // The town passes to another side inside the siege (syria_gov 06-10 → isis 06-20).
            "west-town,sdf,2017-06-12,2017-07-05,https://x.org,",
        ])
        #expect(p.count == 2, "\(p)")
        #expect(p.contains { $0.contains("sieges/mini.csv:3") && $0.contains("gives the town to isis itself") })
        #expect(p.contains { $0.contains("sieges/mini.csv:4") && $0.contains("passes from syria_gov to isis on 2017-06-20") })
        // Fighting inside the town is part of a siege; falling on its last day ends it.
        #expect(try problems(["west-town,sdf,2017-06-10,2017-06-20,https://x.org,"]).isEmpty)
        #expect(try problems(["east-town,iraq_gov,2017-08-31,2017-09-10,https://x.org,"]).first?.contains("passes from syria_gov to sdf") == true)
    }

    @Test func overlappingSiegesOfOneTownAreReported() throws {
        let p = try problems(["east-town,iraq_gov,2017-01-01,2017-02-01,https://x.org,"])
        #expect(p.count == 1)
        #expect(p.first?.contains("overlaps") == true, "\(p)")
    }
}
