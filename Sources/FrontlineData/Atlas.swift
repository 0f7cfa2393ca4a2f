/// The basemap: countries, governorates, rivers and lakes, in WGS 84.
public struct Atlas: Sendable {
    public let countries: [GeoFeature]
    public let governorates: [GeoFeature]
    public let rivers: [GeoFeature]
    public let lakes: [GeoFeature]
    /// Sparsely populated land (optional): where control reaches only near held places.
    public let sparse: [GeoFeature]
    /// Every GeoNames settlement of the region (optional, `basemap/settlements.csv`): people are
    /// counted for the side whose land each lies in.
    public let settlements: [Settlement]

    public init(countries: [GeoFeature], governorates: [GeoFeature], rivers: [GeoFeature], lakes: [GeoFeature],
                sparse: [GeoFeature] = [], settlements: [Settlement] = []) {
        self.countries = countries; self.governorates = governorates; self.rivers = rivers; self.lakes = lakes
        self.sparse = sparse; self.settlements = settlements
    }

    /// The country feature whose `iso_a3` is `code` (IRQ, SYR).
    public func country(_ code: String) -> GeoFeature? { countries.first { $0["iso_a3"] == code } }

    public static func iso3(forISO2 code: String) -> String? {
        ["IQ": "IRQ", "SY": "SYR", "TR": "TUR", "JO": "JOR", "LB": "LBN", "IR": "IRN", "SA": "SAU"][code]
    }
}

/// A GeoNames settlement: where people live, whether or not the timeline tracks it.
public struct Settlement: Sendable, Hashable {
    public let geonameID: Int
    public let name: String
    public let country: String
    public let coordinate: Coordinate
    public let population: Int

    public init(geonameID: Int, name: String, country: String, coordinate: Coordinate, population: Int) {
        self.geonameID = geonameID; self.name = name; self.country = country
        self.coordinate = coordinate; self.population = population
    }

    /// Reads `geonameid,name,country,lat,lon,population`; every bad row is reported as `file:line`.
    public static func load(path: String, displayName: String) throws -> [Settlement] {
        let table = try CSVTable.read(path: path, displayName: displayName)
        let idx = try table.columns(["geonameid", "name", "country", "lat", "lon", "population"])
        var out: [Settlement] = []
        var problems: [DataProblem] = []
        for row in table.rows {
            guard let id = Int(row["geonameid", in: idx]), let lat = Double(row["lat", in: idx]),
                  let lon = Double(row["lon", in: idx]), (-90...90).contains(lat), (-180...180).contains(lon),
                  let pop = Int(row["population", in: idx]), pop >= 0 else {
                problems.append(DataProblem(file: displayName, line: row.line,
                                            "settlement needs a numeric geonameid, lat, lon and a population of 0 or more"))
                continue
            }
            out.append(Settlement(geonameID: id, name: row["name", in: idx], country: row["country", in: idx],
                                  coordinate: Coordinate(lon: lon, lat: lat), population: pop))
        }
        if !problems.isEmpty { throw DataProblems(problems) }
        return out
    }
}
