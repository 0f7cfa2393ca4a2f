import Foundation
import Testing
import FrontlineTestSupport
import FrontlineData
@testable import FrontlineGeometry

@Suite struct ComparisonTests {
    let dataset: Dataset
    let builder: TerritoryBuilder

    init() throws {
        var w: [DataProblem] = []
        dataset = try Dataset.load(directory: Fixtures.mini, warnings: &w)
        builder = try TerritoryBuilder(dataset: dataset)
    }

    func day(_ s: String) throws -> Day { try Day(iso: s) }

    @Test func changesMatchTheFixtureWorkedOutByHand() throws {
        let c = try builder.compare(from: try day("2017-05-01"), to: try day("2017-10-01"))
        let list = c.changes.map { "\($0.date) \($0.place) \($0.from ?? "-")>\($0.to)" }
        #expect(list == [
            "2017-06-01 west-town isis>contested",
            "2017-06-10 west-town contested>syria_gov",
            "2017-06-20 west-town syria_gov>isis",
            "2017-07-01 west-town isis>syria_gov",
            "2017-09-01 east-town syria_gov>sdf",
        ])
        #expect(c.changes.first?.source == "https://example.org/d")
        // West "Syria" went from ISIS to the government; east from the government to the SDF.
        let pairs = Set(c.flows.map { "\($0.from)>\($0.to)" })
        #expect(pairs == ["isis>syria_gov", "syria_gov>sdf"])
        let isis = try #require(c.factions.first { $0.id == "isis" })
        #expect(isis.areaTo == 0 && abs(isis.deltaKm2 + 20_490) < 50)
        let iraq = try #require(c.factions.first { $0.id == "iraq_gov" })
        #expect(abs(iraq.deltaKm2) < 0.01 && iraq.populationFrom == 300_000)
    }

    @Test(arguments: [("2017-05-01", "2017-10-01"), ("2017-06-05", "2017-06-25"), ("2017-10-01", "2017-05-01")])
    func gainsAndLossesAddUp(_ dates: (String, String)) throws {
        let c = try builder.compare(from: try day(dates.0), to: try day(dates.1))
        for f in c.factions {
            let expected = f.areaFrom + c.gainedKm2(f.id) - c.lostKm2(f.id)
            #expect(abs(f.areaTo - expected) < max(1, f.areaFrom * 0.001), "\(f.id): \(f.areaTo) vs \(expected)")
        }
    }

    @Test func realDataAddsUpAndListsAbuKamalEachTime() throws {
        var w: [DataProblem] = []
        let ds = try Dataset.load(directory: Fixtures.geodata, warnings: &w)
        let b = try TerritoryBuilder(dataset: ds)
        let c = try b.compare(from: try day("2017-06-01"), to: try day("2017-12-01"))
        for f in c.factions {
            let expected = f.areaFrom + c.gainedKm2(f.id) - c.lostKm2(f.id)
            #expect(abs(f.areaTo - expected) < max(2, f.areaFrom * 0.002), "\(f.id): \(f.areaTo) vs \(expected)")
        }
        let abuKamal = c.changes.filter { $0.place == "abu-kamal" }
        #expect(abuKamal.count >= 3, "Abu Kamal changed hands several times in November 2017")
        #expect(c.changes.contains { $0.place == "mosul" && $0.to == "iraq_gov" })
        #expect(c.changes.contains { $0.place == "kirkuk" && $0.from == "kurdistan" && $0.to == "iraq_gov" })
    }

    @Test func sameDateIsNoChangeAndReversedIsSaid() throws {
        let same = try builder.compare(from: try day("2017-06-05"), to: try day("2017-06-05"))
        #expect(same.isEmpty && same.changes.isEmpty && same.flows.isEmpty)
        #expect(same.summary(dataset: dataset).contains("same: no change"))
        let back = try builder.compare(from: try day("2017-10-01"), to: try day("2017-05-01"))
        #expect(back.isReversed)
        #expect(back.markdown(dataset: dataset).contains("reverse comparison"))
        #expect(Set(back.flows.map { "\($0.from)>\($0.to)" }) == ["syria_gov>isis", "sdf>syria_gov"])
    }

    @Test func jsonHasTheContractShape() throws {
        let c = try builder.compare(from: try day("2017-05-01"), to: try day("2017-10-01"))
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(c.json(dataset: dataset).utf8)) as? [String: Any])
        #expect(Set(obj.keys) == ["from", "to", "changes", "factions", "sieges"])
        // east-town is besieged by ISIS from 2016-07-01 to 2017-08-31: the siege ended in the period.
        let sieges = try #require(obj["sieges"] as? [[String: Any]])
        #expect(sieges.count == 1 && sieges[0]["status"] as? String == "ended" && sieges[0]["besieger"] as? String == "isis")
        #expect(Set(sieges[0].keys) == ["place", "name", "besieger", "start", "end", "status", "source"])
        #expect(obj["from"] as? String == "2017-05-01" && obj["to"] as? String == "2017-10-01")
        let changes = try #require(obj["changes"] as? [[String: Any]])
        #expect(changes.count == 5)
        #expect(Set(changes[0].keys) == ["place", "name", "date", "from", "to", "source"])
        #expect(changes[0]["name"] as? String == "West Town")
        let factions = try #require(obj["factions"] as? [[String: Any]])
        for f in factions {
            #expect(Set(f.keys) == ["id", "area_km2_from", "area_km2_to", "delta_km2", "hinterland_km2_from", "hinterland_km2_to",
                                    "hinterland_delta_km2", "population_from", "population_to"])
        }
    }

    @Test func markdownIsATableAJournalistCanPaste() throws {
        let md = try builder.compare(from: try day("2017-05-01"), to: try day("2017-10-01")).markdown(dataset: dataset)
        #expect(md.contains("| Date | Town | From | To | Source |"))
        #expect(md.contains("| 2017-09-01 | East Town | Syrian government | Syrian Democratic Forces | [example.org](https://example.org/h) |"))
        #expect(md.contains("| Iraqi government | 40,983 | 40,983 | ±0 |"))
    }

    @Test func governorateBreakdownSumsToTheTerritory() throws {
        let snapshot = dataset.timeline.snapshot(on: try day("2017-03-01"))
        let t = try builder.build(snapshot)
        let rows = try builder.byGovernorate(t, snapshot: snapshot)
        // The fixture has one governorate: the western half of "Syria", all ISIS.
        #expect(rows.count == 1)
        let g = rows[0]
        #expect(g.shares.map(\.controller) == ["isis"])
        #expect(abs(g.shares[0].areaKm2 - g.areaKm2) / g.areaKm2 < 0.01)
        #expect(g.shares[0].population == 50_000 && g.shares[0].places == 1)
    }
}
