import Foundation

/// An area with no tracked town that a timeline can still give a controller: a desert pocket
/// described by its sources as "about N km² around these landmarks". It is modelled as a disc
/// of that area around its centre, clipped to its country, and overrides the cells of places.
public struct Zone: Hashable, Sendable {
    public let id: String
    public let name: String
    public let country: String
    public let centre: Coordinate
    public let areaKm2: Double
    public let source: String

    public init(id: String, name: String, country: String, centre: Coordinate, areaKm2: Double, source: String) {
        self.id = id; self.name = name; self.country = country; self.centre = centre
        self.areaKm2 = areaKm2; self.source = source
    }

    /// Radius in metres of the disc with the zone's area.
    public var radiusMetres: Double { (areaKm2 * 1e6 / Double.pi).squareRoot() }

    /// Reads `zones.csv`: `id,name,country,lat,lon,area_km2,source,note`.
    public static func load(path: String, displayName: String) throws -> [Zone] {
        let table = try CSVTable.read(path: path, displayName: displayName)
        let idx = try table.columns(["id", "name", "country", "lat", "lon", "area_km2", "source"])
        var problems: [DataProblem] = []
        var out: [Zone] = []
        var seen = Set<String>()
        for row in table.rows {
            func bad(_ m: String) { problems.append(DataProblem(file: displayName, line: row.line, m)) }
            let id = row["id", in: idx]
            guard isValidSlug(id) else { bad("zone id '\(id)' must be a lowercase slug"); continue }
            guard seen.insert(id).inserted else { bad("duplicate zone id '\(id)'"); continue }
            guard let lat = Double(row["lat", in: idx]), let lon = Double(row["lon", in: idx]),
                  (-90...90).contains(lat), (-180...180).contains(lon) else {
                bad("zone '\(id)': lat/lon must be decimal degrees"); continue
            }
            guard let area = Double(row["area_km2", in: idx]), area > 0, area < 200_000 else {
                bad("zone '\(id)': area_km2 must be a positive number below 200,000"); continue
            }
            let source = row["source", in: idx]
            guard source.hasPrefix("http://") || source.hasPrefix("https://") else {
                bad("zone '\(id)' has no source URL"); continue
            }
            out.append(Zone(id: id, name: row["name", in: idx], country: row["country", in: idx],
                            centre: Coordinate(lon: lon, lat: lat), areaKm2: area, source: source))
        }
        if !problems.isEmpty { throw DataProblems(problems) }
        return out
    }
}
