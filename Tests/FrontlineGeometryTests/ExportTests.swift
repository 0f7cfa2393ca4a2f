import Foundation
import Testing
import FrontlineTestSupport
import FrontlineData
@testable import FrontlineGeometry

/// What `export` writes: valid polygons as written, and histories whose periods follow the data.
@Suite struct ExportTests {
    static func shipped() throws -> Dataset {
        var w: [DataProblem] = []
        return try Dataset.load(directory: Fixtures.geodata, warnings: &w)
    }

    /// Reads written GeoJSON back and checks every feature's geometry with GEOS's validity test
    /// in the coordinates as written (after the inverse projection and rounding).
    static func invalidFeatures(_ text: String) throws -> [String] {
        let features = try GeoJSON.parseFeatures(Data(text.utf8), file: "export.geojson")
        let context = GEOSContext()
        var bad: [String] = []
        for f in features {
            let polygons = f.geometry.polygons.map { rings in rings.map { ring in ring.map { XY($0.lon, $0.lat) } } }
            let g = try context.multiPolygon(polygons, repair: false)
            if !g.isValid { bad.append("\(f.properties["id"] ?? "?")/\(f.properties["tier"] ?? "?") \(f.properties["valid_from"] ?? "")") }
        }
        return bad
    }

    /// Dates spread over the war, 2015-03-31 among them (it wrote self-intersecting `iraq_gov`
    /// and `syria_gov` MultiPolygons before the precision step).
    @Test(arguments: ["2014-06-30", "2015-03-31", "2015-12-31", "2016-10-17", "2017-07-10",
                      "2017-11-19", "2018-08-01", "2019-03-23"])
    func everyExportedPolygonIsValidAsWritten(_ date: String) throws {
        let ds = try Self.shipped()
        let builder = try TerritoryBuilder(dataset: ds)
        let territory = try builder.build(ds.timeline.snapshot(on: try Day(iso: date)))
        let (text, count) = try TerritoryReport.geoJSON(territory, builder: builder)
        #expect(count >= 4)
        #expect(try Self.invalidFeatures(text) == [])
    }

    @Test func aHistoryHasOnePeriodPerSideBetweenChanges() throws {
        var w: [DataProblem] = []
        let ds = try Dataset.load(directory: Fixtures.mini, warnings: &w)
        let builder = try TerritoryBuilder(dataset: ds)
        let from = try Day(iso: "2016-01-01"), to = try Day(iso: "2017-12-31")
        let days = DayStep(count: 1, unit: .months).days(from: from, through: to)
        let (text, count) = try TerritoryReport.historyGeoJSON(builder: builder, days: days, end: to.adding(days: 1))
        #expect(try Self.invalidFeatures(text) == [])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let features = try #require(obj["features"] as? [[String: Any]])
        #expect(features.count == count)
        var periods: [String: [(String, String)]] = [:]
        for f in features {
            let p = try #require(f["properties"] as? [String: Any])
            let key = "\(p["id"] as? String ?? "")/\(p["tier"] as? String ?? "")"
            let a = try #require(p["valid_from"] as? String), b = try #require(p["valid_to"] as? String)
            #expect(a < b)
            #expect((p["area_km2"] as? Double ?? 0) > 0)
            periods[key, default: []].append((a, b))
        }
        // Per side and tier the periods follow one another without overlap, and the first starts
        // on the first sampled day or later; the last open one ends the day after --to.
        for (key, list) in periods {
            let sorted = list.sorted { $0.0 < $1.0 }
            for (x, y) in zip(sorted, sorted.dropFirst()) { #expect(x.1 <= y.0, "\(key): \(x) overlaps \(y)") }
            #expect(sorted[0].0 >= "2016-01-01")
        }
        #expect(features.contains { ($0["properties"] as? [String: Any])?["valid_to"] as? String == "2018-01-01" })
        // A side whose land changed writes a new period; one untouched keeps one feature.
        let changes = ds.timeline.changes(after: from, through: to)
        #expect(!changes.isEmpty)
        #expect(periods.values.contains { $0.count == 1 } || periods.count == 1)
        #expect(periods.values.contains { $0.count > 1 })
    }

    @Test func timelineIntervalsChainEachPlacesEvents() throws {
        let ds = try Self.shipped()
        let intervals = ds.controlIntervals()
        let byPlace = Dictionary(grouping: intervals, by: { $0.place.id })
        #expect(byPlace.count == ds.gazetteer.places.count)
        for (id, list) in byPlace {
            #expect(list.last?.validTo == nil, "\(id): the last interval is open")
            for (a, b) in zip(list, list.dropFirst()) {
                #expect(a.validTo == b.validFrom && a.controller != b.controller, "\(id)")
            }
        }
        let mosul = try #require(byPlace["mosul"])
        let isis = try #require(mosul.first { $0.controller == "isis" })
        #expect(isis.validFrom == (try Day(iso: "2014-06-10")))
    }
}
