import Foundation

/// A longitude/latitude pair in degrees (WGS 84).
public struct Coordinate: Hashable, Sendable {
    public var lon: Double
    public var lat: Double
    public init(lon: Double, lat: Double) { self.lon = lon; self.lat = lat }

    /// Great-circle distance in km (haversine on a sphere of the mean Earth radius): for checks
    /// and messages, not for measuring territory.
    public func distanceKm(to other: Coordinate) -> Double {
        let r = Double.pi / 180
        let dLat = (other.lat - lat) * r, dLon = (other.lon - lon) * r
        let h = sin(dLat / 2) * sin(dLat / 2) + cos(lat * r) * cos(other.lat * r) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * 6371.0088 * asin(min(1, h.squareRoot()))
    }
}

/// A town, village, or other named point whose controller the timeline tracks.
public struct Place: Hashable, Sendable {
    public let id: String
    public let name: String
    public let nameAr: String
    public let coordinate: Coordinate
    /// ISO 3166-1 alpha-2: IQ or SY.
    public let country: String
    public let population: Int
    public let geonameID: Int?
    /// Why the place is what it is where a reader might doubt it (e.g. why it lies within 1 km
    /// of another place: a city split between sides, an air base beside its town).
    public let note: String

    public init(id: String, name: String, nameAr: String, coordinate: Coordinate,
                country: String, population: Int, geonameID: Int?, note: String = "") {
        self.id = id; self.name = name; self.nameAr = nameAr; self.coordinate = coordinate
        self.country = country; self.population = population; self.geonameID = geonameID
        self.note = note
    }
}

/// All places of a dataset, by id and in file order.
public struct Gazetteer: Sendable {
    public let places: [Place]
    private let index: [String: Int]

    public init(places: [Place]) {
        self.places = places
        var m: [String: Int] = [:]
        for (i, p) in places.enumerated() { m[p.id] = i }
        index = m
    }

    public subscript(id: String) -> Place? { index[id].map { places[$0] } }

    /// Reads `places.csv`: `id,name,name_ar,lat,lon,country,population,geonameid` and an
    /// optional `note`.
    public static func load(path: String, displayName: String) throws -> Gazetteer {
        let table = try CSVTable.read(path: path, displayName: displayName)
        let idx = try table.columns(["id", "name", "name_ar", "lat", "lon", "country", "population", "geonameid"])
        var problems: [DataProblem] = []
        var places: [Place] = []
        var seen = Set<String>()
        for row in table.rows {
            func bad(_ m: String) { problems.append(DataProblem(file: displayName, line: row.line, m)) }
            if row.fields.count != table.header.count {
                bad("expected \(table.header.count) fields, found \(row.fields.count)"); continue
            }
            let id = row["id", in: idx]
            guard isValidSlug(id) else { bad("place id '\(id)' must be a lowercase slug like abu-kamal"); continue }
            guard seen.insert(id).inserted else { bad("duplicate place id '\(id)'"); continue }
            guard let lat = Double(row["lat", in: idx]), let lon = Double(row["lon", in: idx]),
                  lat.isFinite, lon.isFinite, (-90...90).contains(lat), (-180...180).contains(lon) else {
                bad("place '\(id)': lat/lon must be decimal degrees, got '\(row["lat", in: idx])','\(row["lon", in: idx])'"); continue
            }
            let popText = row["population", in: idx]
            guard let pop = popText.isEmpty ? 0 : Int(popText), pop >= 0 else {
                bad("place '\(id)': population must be a whole number, got '\(popText)'"); continue
            }
            let country = row["country", in: idx]
            guard country.count == 2, country == country.uppercased() else {
                bad("place '\(id)': country must be a two-letter code like IQ, got '\(country)'"); continue
            }
            let name = row["name", in: idx]
            guard !name.isEmpty else { bad("place '\(id)' has no name"); continue }
            places.append(Place(id: id, name: name, nameAr: row["name_ar", in: idx],
                                coordinate: Coordinate(lon: lon, lat: lat), country: country,
                                population: pop, geonameID: Int(row["geonameid", in: idx]),
                                note: table.header.contains("note") ? row["note", in: idx] : ""))
        }
        if !problems.isEmpty { throw DataProblems(problems) }
        return Gazetteer(places: places)
    }
}
