import Foundation
import Testing
import FrontlineTestSupport
import FrontlineData
@testable import FrontlineGeometry

/// The area the model gives ISIS, against the IHS Conflict Monitor series (Geodata/estimates).
@Suite struct EstimatesTests {
    struct Estimate { let day: Day; let km2: Double; let publisher: String }

    static func ihs() throws -> [Estimate] {
        let table = try CSVTable.read(path: Fixtures.geodata + "/estimates/isis-area.csv")
        let idx = try table.columns(["date", "area_km2", "scope", "publisher", "source"])
        return try table.rows.compactMap { row in
            guard row["scope", in: idx] == "iraq+syria", row["publisher", in: idx].contains("IHS"),
                  let km2 = Double(row["area_km2", in: idx]) else { return nil }
            #expect(row["source", in: idx].hasPrefix("http"))
            return Estimate(day: try Day(iso: row["date", in: idx]), km2: km2, publisher: row["publisher", in: idx])
        }
    }

    @Test func isisAreaTracksTheIHSSeriesWithin20Percent() throws {
        var w: [DataProblem] = []
        let ds = try Dataset.load(directory: Fixtures.geodata, warnings: &w)
        let b = try TerritoryBuilder(dataset: ds)
        let estimates = try Self.ihs()
        #expect(estimates.count >= 8)
        for e in estimates where e.day.year >= 2015 && e.day.year <= 2018 {
            let model = try b.areas(ds.timeline.snapshot(on: e.day))["isis"] ?? 0
            let ratio = model / e.km2
            print(String(format: "ISIS area %@: IHS %8.0f km², model %8.0f km² (%+.0f%%)", e.day.iso, e.km2, model, (ratio - 1) * 100))
            if e.day.year == 2018 {
                // Known gap: the 2018 desert pockets have no places with sourced coordinates yet.
                withKnownIssue("ISIS desert pockets of 2018 are not in the data") {
                    #expect(abs(ratio - 1) <= 0.2, "\(e.day): model \(Int(model)) km² vs IHS \(Int(e.km2)) km²")
                }
            } else {
                #expect(abs(ratio - 1) <= 0.2, "\(e.day): model \(Int(model)) km² vs IHS \(Int(e.km2)) km²")
            }
        }
    }
}
