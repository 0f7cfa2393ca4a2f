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
    public static func geoJSON(_ territory: Territory, builder: TerritoryBuilder) -> (text: String, features: Int) {
        var features: [String] = []
        for part in territory.parts {
            let name = GeoJSON.jsonString(builder.dataset.factions.name(of: part.controller))
            let tiers: [(String, [PolygonXY], Double)] = [("held", part.polygons, part.areaKm2), ("hinterland", part.hinterland, part.hinterlandKm2)]
            for (tier, polygons, area) in tiers where !polygons.isEmpty {
                let geometry = GeoGeometry.multiPolygon(builder.unproject(polygons))
                features.append("{\"type\":\"Feature\",\"properties\":{\"id\":\(GeoJSON.jsonString(part.controller)),\"name\":\(name),\"area_km2\":\(oneDecimal(area)),\"tier\":\"\(tier)\"},\"geometry\":\(GeoJSON.encode(geometry))}")
            }
        }
        let text = "{\"type\":\"FeatureCollection\",\"date\":\"\(territory.day)\",\"features\":[\n" + features.joined(separator: ",\n") + "\n]}\n"
        return (text, features.count)
    }

    static func oneDecimal(_ v: Double) -> String { String(format: "%.1f", v) }
}

extension Territory {
    /// The same territory dated `day`: days with one snapshot share one derived territory.
    public func dated(_ day: Day) -> Territory { Territory(day: day, parts: parts) }
}
