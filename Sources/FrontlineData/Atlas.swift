/// The basemap: countries, governorates, rivers and lakes, in WGS 84.
public struct Atlas: Sendable {
    public let countries: [GeoFeature]
    public let governorates: [GeoFeature]
    public let rivers: [GeoFeature]
    public let lakes: [GeoFeature]
    /// Sparsely populated land (optional): where control reaches only near held places.
    public let sparse: [GeoFeature]

    public init(countries: [GeoFeature], governorates: [GeoFeature], rivers: [GeoFeature], lakes: [GeoFeature],
                sparse: [GeoFeature] = []) {
        self.countries = countries; self.governorates = governorates; self.rivers = rivers; self.lakes = lakes
        self.sparse = sparse
    }

    /// The country feature whose `iso_a3` is `code` (IRQ, SYR).
    public func country(_ code: String) -> GeoFeature? { countries.first { $0["iso_a3"] == code } }

    public static func iso3(forISO2 code: String) -> String? {
        ["IQ": "IRQ", "SY": "SYR", "TR": "TUR", "JO": "JOR", "LB": "LBN", "IR": "IRN", "SA": "SAU"][code]
    }
}
