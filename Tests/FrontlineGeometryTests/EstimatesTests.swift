import Foundation
import Testing
import FrontlineTestSupport
import FrontlineData
@testable import FrontlineGeometry

/// The area the model gives ISIS against the published estimates in `Geodata/estimates/isis-area.csv`.
///
/// Each row says whether it is compared (`check`): `yes` rows (the IHS Conflict Monitor series and the
/// US/coalition statements that count the same thing) must be within ±20%; `gap` rows are known
/// disagreements, recorded as known issues so that the test notices when one is fixed; `no` rows are
/// not comparable (a different definition, a claim, outside 2015–2018) and say why in their note.
/// Where a source gives a range (`low`, `high`: the coalition's "lost 25,500–26,500 km², about 58%"
/// leaves 18,090–19,587 km²), the model must be within ±20% of the nearest end of the range.
@Suite struct EstimatesTests {
    struct Estimate {
        let line: Int, day: Day, km2: Double, scope: String, publisher: String, check: String
        let low: Double?, high: Double?

        /// How far `model` is from the published figure, or from the nearest end of its range.
        func deviation(_ model: Double) -> Double {
            guard let low, let high else { return model / km2 - 1 }
            return model < low ? model / low - 1 : model > high ? model / high - 1 : 0
        }
    }

    static func estimates() throws -> [Estimate] {
        let table = try CSVTable.read(path: Fixtures.geodata + "/estimates/isis-area.csv")
        let idx = try table.columns(["date", "area_km2", "low", "high", "scope", "publisher", "check", "source", "note"])
        return try table.rows.map { row in
            Estimate(line: row.line, day: try Day(iso: row["date", in: idx]),
                     km2: try #require(Double(row["area_km2", in: idx])), scope: row["scope", in: idx],
                     publisher: row["publisher", in: idx], check: row["check", in: idx],
                     low: Double(row["low", in: idx]), high: Double(row["high", in: idx]))
        }
    }

    @Test func everyEstimateHasASourceAndAReasonedCheck() throws {
        let table = try CSVTable.read(path: Fixtures.geodata + "/estimates/isis-area.csv")
        let idx = try table.columns(["check", "source", "note", "scope"])
        for row in table.rows {
            #expect(row["source", in: idx].hasPrefix("http"), "line \(row.line): no source URL")
            #expect(["yes", "gap", "no"].contains(row["check", in: idx]), "line \(row.line): check must be yes, gap or no")
            #expect(["iraq", "syria", "iraq+syria"].contains(row["scope", in: idx]), "line \(row.line): unknown scope")
            if row["check", in: idx] == "no" {
                #expect(row["note", in: idx].contains("not compared"), "line \(row.line): say why it is not compared")
            }
        }
        for e in try Self.estimates() {
            #expect((e.low == nil) == (e.high == nil), "line \(e.line): give both ends of a range or neither")
            if let low = e.low, let high = e.high {
                #expect(low <= e.km2 && e.km2 <= high, "line \(e.line): area_km2 must lie within low–high")
            }
        }
    }

    @Test func isisAreaTracksPublishedEstimatesWithin20Percent() throws {
        var w: [DataProblem] = []
        let ds = try Dataset.load(directory: Fixtures.geodata, warnings: &w)
        let b = try TerritoryBuilder(dataset: ds)
        let all = try Self.estimates()
        let compared = all.filter { $0.check == "yes" }
        #expect(compared.filter { $0.publisher.contains("IHS") }.count >= 8)
        #expect(compared.count >= 15)
        for e in all where e.check != "no" {
            #expect((2015...2018).contains(e.day.year))
            let byCountry = try b.areasByCountry(ds.timeline.snapshot(on: e.day))
            let iraq = byCountry["IQ"]?["isis"] ?? 0, syria = byCountry["SY"]?["isis"] ?? 0
            let model = e.scope == "iraq" ? iraq : e.scope == "syria" ? syria : iraq + syria
            let deviation = e.deviation(model)
            let published = e.low.map { String(format: "%6.0f-%-6.0f", $0, e.high!) } ?? String(format: "%13.0f", e.km2)
            print(String(format: "ISIS area %@ %-10@ %@ %-45@ published %@ km², model %8.0f km² (%+.0f%%)",
                         e.day.iso, e.scope, e.check, e.publisher, published, model, deviation * 100))
            let message: Comment = "isis-area.csv:\(e.line) \(e.day) \(e.publisher): model \(Int(model)) km² vs \(Int(e.km2)) km²"
            if e.check == "gap" {
                withKnownIssue("documented gap (Geodata/README.md, Calibration)") {
                    #expect(abs(deviation) <= 0.2, message)
                }
            } else {
                #expect(abs(deviation) <= 0.2, message)
            }
        }
    }

    /// Besieged desert pockets are drawn but are not ISIS-governed land, so they are counted apart.
    @Test func besiegedDesertPocketsAreCountedApartFromISIS() throws {
        var w: [DataProblem] = []
        let ds = try Dataset.load(directory: Fixtures.geodata, warnings: &w)
        let b = try TerritoryBuilder(dataset: ds)
        let areas = try b.areas(ds.timeline.snapshot(on: try Day(iso: "2018-01-31")))
        let besieged = try #require(areas["isis_besieged"])
        #expect(besieged > 5_000 && besieged < 10_000)
        #expect((areas["isis"] ?? 0) < 8_200)
    }
}

/// People under ISIS against the published estimates in `Geodata/estimates/isis-population.csv`.
/// The model counts every GeoNames settlement (cities500: 477 settlements, about 42 million people
/// in Iraq and Syria, pre-war figures) for the side whose land it lies in, so it can be no closer
/// than that list is to the wartime population: the test asks for ±30%.
@Suite struct PopulationEstimatesTests {
    @Test func isisPopulationTracksPublishedEstimates() throws {
        var w: [DataProblem] = []
        let ds = try Dataset.load(directory: Fixtures.geodata, warnings: &w)
        #expect(ds.atlas.settlements.count > 400)
        let b = try TerritoryBuilder(dataset: ds)
        let table = try CSVTable.read(path: Fixtures.geodata + "/estimates/isis-population.csv")
        let idx = try table.columns(["date", "population", "scope", "publisher", "check", "source", "note"])
        #expect(table.rows.filter { $0["check", in: idx] == "yes" }.count >= 2)
        for row in table.rows {
            #expect(row["source", in: idx].hasPrefix("http"), "line \(row.line): no source URL")
            let published = try #require(Double(row["population", in: idx]))
            let t = try b.build(ds.timeline.snapshot(on: try Day(iso: row["date", in: idx])))
            let model = Double(t["isis"]?.population ?? 0)
            let deviation = model / published - 1
            print(String(format: "ISIS population %@ %-32@ published %10.0f, model %10.0f (%+.0f%%)",
                         row["date", in: idx], row["publisher", in: idx], published, model, deviation * 100))
            let message: Comment = "isis-population.csv:\(row.line): model \(Int(model)) vs \(Int(published))"
            if row["check", in: idx] == "gap" {
                withKnownIssue("documented gap (Geodata/README.md, Calibration)") { #expect(abs(deviation) <= 0.3, message) }
            } else {
                #expect(abs(deviation) <= 0.3, message)
            }
        }
    }
}
