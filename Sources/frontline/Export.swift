import ArgumentParser
import Foundation
import FrontlineData
import FrontlineGeometry
import FrontlineRender

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the territory of one day as GeoJSON, one feature per side.",
        discussion: """
        A FeatureCollection in WGS 84 longitude/latitude; each feature has the properties id, \
        name and area_km2. Opens in QGIS, geojson.io, Mapnik and web maps.

          frontline export --date 2017-11-19 --out territory.geojson
        """
    )

    @OptionGroup var dataOptions: DataOptions
    @Option(help: ArgumentHelp("The day, YYYY-MM-DD.", valueName: "date")) var date: String
    @Option(help: ArgumentHelp("Output .geojson file.", valueName: "file")) var out: String

    mutating func validate() throws {
        _ = try parseDay(date, option: "--date")
        let ext = (out as NSString).pathExtension.lowercased()
        guard ext == "geojson" || ext == "json" else {
            throw ValidationError("--out: cannot write '\(out)': unsupported file type; use .geojson")
        }
    }

    func run() throws {
        try reportingErrors {
            let day = try Day(iso: date)
            try AtomicFile.checkWritable(out)
            let dataset = try dataOptions.load()
            let (_, territory, builder) = try territory(dataset, on: day, cache: dataOptions.cache(for: dataset))
            let (text, count) = TerritoryReport.geoJSON(territory, builder: builder)
            try AtomicFile.write(Data(text.utf8), to: out)
            print("wrote \(out) (\(count) features, \(day))")
        }
    }
}
