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
            for t in part.tiers {
                features.append(try feature(part.controller, t.tier, t.polygons, area: t.area, builder: builder))
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
        struct Key: Hashable { let controller: ControllerID; let tier: String }
        struct Open { let from: Day; let polygons: [PolygonXY]; let area: Double }
        var open: [Key: Open] = [:]
        var order: [Key] = []            // first appearance, so the output is in a stable order
        var features: [String] = []
        func close(_ key: Key, at to: Day) throws {
            guard let o = open.removeValue(forKey: key) else { return }
            features.append(try feature(key.controller, key.tier, o.polygons, area: o.area, builder: builder,
                                        extra: "\"valid_from\":\"\(o.from)\",\"valid_to\":\"\(to)\""))
        }
        var last: [String: ControllerID]?
        for (n, day) in days.enumerated() {
            progress(n, days.count)
            let snapshot = builder.dataset.timeline.snapshot(on: day)
            if snapshot.territoryKey == last { continue }
            last = snapshot.territoryKey
            let territory = try builder.build(snapshot, people: false, merged: true)
            var now: [Key: (polygons: [PolygonXY], area: Double)] = [:]
            for part in territory.parts {
                for t in part.tiers { now[Key(controller: part.controller, tier: t.tier)] = (t.polygons, t.area) }
            }
            for key in order where open[key] != nil && now[key]?.polygons != open[key]?.polygons {
                try close(key, at: day)
            }
            for part in territory.parts {
                for t in part.tiers {
                    let key = Key(controller: part.controller, tier: t.tier)
                    guard open[key] == nil else { continue }
                    open[key] = Open(from: day, polygons: t.polygons, area: t.area)
                    if !order.contains(key) { order.append(key) }
                }
            }
        }
        progress(days.count, days.count)
        for key in order { try close(key, at: end) }
        let text = "{\"type\":\"FeatureCollection\",\"features\":[\n" + features.joined(separator: ",\n") + "\n]}\n"
        return (text, features.count)
    }

    /// One side's land of one tier as a GeoJSON Feature: `id`, `name`, `area_km2`, `tier`, then
    /// `extra` properties (already encoded).
    static func feature(_ controller: ControllerID, _ tier: String, _ polygons: [PolygonXY], area: Double,
                        builder: TerritoryBuilder, extra: String? = nil) throws -> String {
        let name = GeoJSON.jsonString(builder.dataset.factions.name(of: controller))
        let geometry = GeoGeometry.multiPolygon(try builder.unprojectedValid(polygons))
        return "{\"type\":\"Feature\",\"properties\":{\"id\":\(GeoJSON.jsonString(controller)),\"name\":\(name),\"area_km2\":\(oneDecimal(area)),\"tier\":\"\(tier)\"\(extra.map { "," + $0 } ?? "")},\"geometry\":\(GeoJSON.encode(geometry))}"
    }

    static func oneDecimal(_ v: Double) -> String { String(format: "%.1f", v) }
}

extension TerritoryPart {
    /// The side's non-empty tiers: `held` and, where it has one, `hinterland`.
    public var tiers: [(tier: String, polygons: [PolygonXY], area: Double)] {
        [("held", polygons, areaKm2), ("hinterland", hinterland, hinterlandKm2)].filter { !$0.1.isEmpty }
    }
}

extension Territory {
    /// The same territory dated `day`: days with one snapshot share one derived territory.
    public func dated(_ day: Day) -> Territory { Territory(day: day, parts: parts) }
}
