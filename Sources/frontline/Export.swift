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
            let (_, territory, builder) = try territory(dataset, on: day)
            let features = territory.parts.map { part -> String in
                let geometry = GeoGeometry.multiPolygon(builder.unproject(part.polygons))
                return "{\"type\":\"Feature\",\"properties\":{\"id\":\(GeoJSON.jsonString(part.controller)),\"name\":\(GeoJSON.jsonString(dataset.factions.name(of: part.controller))),\"area_km2\":\(oneDecimal(part.areaKm2))},\"geometry\":\(GeoJSON.encode(geometry))}"
            }
            let text = "{\"type\":\"FeatureCollection\",\"date\":\"\(day)\",\"features\":[\n" + features.joined(separator: ",\n") + "\n]}\n"
            try AtomicFile.write(Data(text.utf8), to: out)
            print("wrote \(out) (\(territory.parts.count) features, \(day))")
        }
    }
}
