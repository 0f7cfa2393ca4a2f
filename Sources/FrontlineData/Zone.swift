import Foundation

/// An area with no tracked town that a timeline can still give a controller: a desert pocket
/// described by its sources as "about N km² around these landmarks", or a strip "along N km of
/// the border". It overrides the cells of places. Its shape is one of:
///
/// - a **disc** of the published area around a centre (`lat`, `lon`, `area_km2`);
/// - a **corridor** along a path (`path` = `lat lon; lat lon; …`) reaching `width_km / 2` to each
///   side, clipped to its country, so a strip along a border is `width_km / 2` deep.
///
/// Either way the shape is clipped to its country, and to the bank of a barrier river its centre
/// lies on. The shape is schematic by design.
///
/// A zone is of one of two kinds (`kind` column, optional):
///
/// - `area` (the default): the zone is land its controller holds, cut out of the cells of the
///   places around it;
/// - `outline`: the outline its sources give of an encircled pocket ("30 × 10 km from Hajin to
///   al-Bukamal"). It holds no land itself: while it has a controller, the places that side holds
///   inside the outline hold only the land inside it. What their cells lose is no one's.
public struct Zone: Hashable, Sendable {
    public enum Kind: String, Sendable { case area, outline }

    public let id: String
    public let name: String
    public let country: String
    /// The centre of a disc; for a corridor, the middle point of its path.
    public let centre: Coordinate
    /// The area its sources give.
    public let areaKm2: Double
    public let source: String
    /// A corridor's path (empty for a disc).
    public let path: [Coordinate]
    /// A corridor's full width in km.
    public let widthKm: Double?
    public let kind: Kind

    public init(id: String, name: String, country: String, centre: Coordinate, areaKm2: Double, source: String,
                path: [Coordinate] = [], widthKm: Double? = nil, kind: Kind = .area) {
        self.id = id; self.name = name; self.country = country; self.centre = centre
        self.areaKm2 = areaKm2; self.source = source; self.path = path; self.widthKm = widthKm
        self.kind = kind
    }

    public var isCorridor: Bool { !path.isEmpty }

    /// Radius in metres of the disc with the zone's area.
    public var radiusMetres: Double { (areaKm2 * 1e6 / Double.pi).squareRoot() }

    /// Reads `zones.csv`: `id,name,country,lat,lon,area_km2,source,note` and, for corridors,
    /// `path,width_km` (optional columns), and optionally `kind` (`area` or `outline`).
    public static func load(path: String, displayName: String) throws -> [Zone] {
        try parse(try CSVTable.read(path: path, displayName: displayName))
    }

    /// The zones of a `zones.csv` table already read; every malformed row is one problem.
    public static func parse(_ table: CSVTable) throws -> [Zone] {
        let displayName = table.file
        let idx = try table.columns(["id", "name", "country", "lat", "lon", "area_km2", "source"])
        let hasPath = table.header.contains("path") && table.header.contains("width_km")
        let pidx = hasPath ? try table.columns(["path", "width_km"]) : [:]
        let kidx = table.header.contains("kind") ? try table.columns(["kind"]) : [:]
        var problems: [DataProblem] = []
        var out: [Zone] = []
        var seen = Set<String>()
        for row in table.rows {
            func bad(_ m: String) { problems.append(DataProblem(file: displayName, line: row.line, m)) }
            let id = row["id", in: idx]
            guard isValidSlug(id) else { bad("zone id '\(id)' must be a lowercase slug"); continue }
            guard seen.insert(id).inserted else { bad("duplicate zone id '\(id)'"); continue }
            guard let area = Double(row["area_km2", in: idx]), area > 0, area < 200_000 else {
                bad("zone '\(id)': area_km2 must be a positive number below 200,000"); continue
            }
            let source = row["source", in: idx]
            guard source.hasPrefix("http://") || source.hasPrefix("https://") else {
                bad("zone '\(id)' has no source URL"); continue
            }
            let kindText = kidx.isEmpty ? "" : row["kind", in: kidx]
            guard let kind = kindText.isEmpty ? .area : Kind(rawValue: kindText) else {
                bad("zone '\(id)': kind must be 'area' or 'outline', not '\(kindText)'"); continue
            }
            var route: [Coordinate] = []
            var width: Double?
            let pathText = hasPath ? row["path", in: pidx] : ""
            if !pathText.isEmpty {
                guard let r = parsePath(pathText), r.count >= 2 else {
                    bad("zone '\(id)': path must be at least two 'lat lon' points separated by ';'"); continue
                }
                guard let w = Double(row["width_km", in: pidx]), w > 0, w <= 500 else {
                    bad("zone '\(id)': a corridor needs width_km, a positive number up to 500"); continue
                }
                route = r; width = w
            }
            let centre: Coordinate
            if let lat = Double(row["lat", in: idx]), let lon = Double(row["lon", in: idx]),
               (-90...90).contains(lat), (-180...180).contains(lon) {
                centre = Coordinate(lon: lon, lat: lat)
            } else if !route.isEmpty, row["lat", in: idx].isEmpty, row["lon", in: idx].isEmpty {
                centre = route[route.count / 2]
            } else {
                bad("zone '\(id)': lat/lon must be decimal degrees (they may be empty only for a corridor)"); continue
            }
            out.append(Zone(id: id, name: row["name", in: idx], country: row["country", in: idx],
                            centre: centre, areaKm2: area, source: source, path: route, widthKm: width, kind: kind))
        }
        if !problems.isEmpty { throw DataProblems(problems) }
        return out
    }

    /// `"34.5 40.9; 34.6 41.0"` → coordinates, or nil when a point is not `lat lon` in range.
    static func parsePath(_ text: String) -> [Coordinate]? {
        var out: [Coordinate] = []
        for point in text.split(separator: ";") {
            let parts = point.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2, let lat = Double(parts[0]), let lon = Double(parts[1]),
                  (-90...90).contains(lat), (-180...180).contains(lon) else { return nil }
            out.append(Coordinate(lon: lon, lat: lat))
        }
        return out
    }
}
