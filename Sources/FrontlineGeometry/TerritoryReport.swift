import Foundation
import FrontlineData

/// The machine-readable forms of one day's territory, shared by the CLI (`stats --format json`,
/// `export`) and the server (`/api/stats`, `/api/territory`) so both print the same bytes.
public enum TerritoryReport {
    /// `{"date": …, "factions": [{"id", "name", "area_km2", "hinterland_km2", "population", "places"}, …]}`;
    /// `area_km2` is the held tier.
    public static func statsJSON(_ territory: Territory, dataset: Dataset) -> String {
        let items = territory.parts.map { p in
            "{\"id\": \(GeoJSON.jsonString(p.controller)), \"name\": \(GeoJSON.jsonString(dataset.factions.name(of: p.controller))), \"area_km2\": \(oneDecimal(p.areaKm2)), \"hinterland_km2\": \(oneDecimal(p.hinterlandKm2)), \"population\": \(p.population), \"places\": \(p.places)}"
        }
        return "{\"date\": \"\(territory.day)\", \"factions\": [\(items.joined(separator: ", "))]}\n"
    }

    /// A FeatureCollection in WGS 84 with one feature per side and tier: `held` (the tier compared
    /// with published estimates) and, where a side has one, `hinterland`.
    /// Every polygon is valid by GEOS's test as written (see `TerritoryBuilder.unprojectedValid`).
    public static func geoJSON(_ territory: Territory, builder: TerritoryBuilder) throws -> (text: String, features: Int) {
        var features: [String] = []
        for part in territory.parts {
            let name = GeoJSON.jsonString(builder.dataset.factions.name(of: part.controller))
            let tiers: [(String, [PolygonXY], Double)] = [("held", part.polygons, part.areaKm2), ("hinterland", part.hinterland, part.hinterlandKm2)]
            for (tier, polygons, area) in tiers where !polygons.isEmpty {
                let geometry = GeoGeometry.multiPolygon(try builder.unprojectedValid(polygons))
                features.append("{\"type\":\"Feature\",\"properties\":{\"id\":\(GeoJSON.jsonString(part.controller)),\"name\":\(name),\"area_km2\":\(oneDecimal(area)),\"tier\":\"\(tier)\"},\"geometry\":\(GeoJSON.encode(geometry))}")
            }
        }
        let text = "{\"type\":\"FeatureCollection\",\"date\":\"\(territory.day)\",\"features\":[\n" + features.joined(separator: ",\n") + "\n]}\n"
        return (text, features.count)
    }

    /// The territory of every sampled day from `days` (ascending) as a time-enabled
    /// FeatureCollection: one feature per side and tier for each period in which that side's land
    /// of that tier did not change, with `valid_from` (first day) and `valid_to` (the first
    /// sampled day it had changed, or `end`, exclusive). A change of control writes new
    /// features only for the sides and tiers whose land it changed. Days with one snapshot share
    /// one territory, so a whole war of daily steps builds only the distinct snapshots.
    public static func historyGeoJSON(builder: TerritoryBuilder, days: [Day], end: Day,
                                      progress: (Int, Int) -> Void = { _, _ in }) throws -> (text: String, features: Int) {
        struct Open { let from: Day; let polygons: [PolygonXY]; let area: Double }
        var open: [String: Open] = [:]
        var order: [String] = []
        var features: [String] = []
        let timeline = builder.dataset.timeline
        func close(_ key: String, _ o: Open, at to: Day) throws {
            let (id, tier) = (String(key.split(separator: "/")[0]), String(key.split(separator: "/")[1]))
            let name = GeoJSON.jsonString(builder.dataset.factions.name(of: id))
            let geometry = GeoGeometry.multiPolygon(try builder.unprojectedValid(o.polygons))
            features.append("{\"type\":\"Feature\",\"properties\":{\"id\":\(GeoJSON.jsonString(id)),\"name\":\(name),\"tier\":\"\(tier)\",\"area_km2\":\(oneDecimal(o.area)),\"valid_from\":\"\(o.from)\",\"valid_to\":\"\(to)\"},\"geometry\":\(GeoJSON.encode(geometry))}")
        }
        var last: [String: ControllerID]?
        for (n, day) in days.enumerated() {
            progress(n, days.count)
            let snapshot = timeline.snapshot(on: day)
            if snapshot.territoryKey == last { continue }
            last = snapshot.territoryKey
            let territory = try builder.build(snapshot, people: false, merged: true)
            var now: [String: (polygons: [PolygonXY], area: Double)] = [:]
            for part in territory.parts {
                if !part.polygons.isEmpty { now[part.controller + "/held"] = (part.polygons, part.areaKm2) }
                if !part.hinterland.isEmpty { now[part.controller + "/hinterland"] = (part.hinterland, part.hinterlandKm2) }
            }
            for key in order {
                guard let o = open[key] else { continue }
                if let same = now[key], same.polygons == o.polygons { continue }
                try close(key, o, at: day)
                open[key] = nil
            }
            for part in territory.parts {
                for key in [part.controller + "/held", part.controller + "/hinterland"] {
                    guard let n = now[key], open[key] == nil else { continue }
                    open[key] = Open(from: day, polygons: n.polygons, area: n.area)
                    if !order.contains(key) { order.append(key) }
                }
            }
        }
        progress(days.count, days.count)
        for key in order { if let o = open[key] { try close(key, o, at: end) } }
        let text = "{\"type\":\"FeatureCollection\",\"features\":[\n" + features.joined(separator: ",\n") + "\n]}\n"
        return (text, features.count)
    }

    static func oneDecimal(_ v: Double) -> String { String(format: "%.1f", v) }
}

extension Territory {
    /// The same territory dated `day`: days with one snapshot share one derived territory.
    public func dated(_ day: Day) -> Territory { Territory(day: day, parts: parts) }
}
