import ArgumentParser
import Foundation
import FrontlineData

struct Control: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Every place with its controller on one day.",
        discussion: """
        Columns: id,name,lat,lon,controller (plus since and source: the event in force, and \
        besieged_by: the side besieging the town that day, from Geodata/sieges/). \
        A place with no event yet has an empty controller.

          frontline control --date 2017-11-19 > control.csv
          frontline control --date 2017-11-19 --format json
        """
    )

    @OptionGroup var dataOptions: DataOptions
    @Option(help: ArgumentHelp("The day, YYYY-MM-DD.", valueName: "date")) var date: String
    @Option(help: "Output format: csv or json.") var format: RecordFormat = .csv

    mutating func validate() throws { _ = try parseDay(date, option: "--date") }

    func run() throws {
        try reportingErrors {
            let day = try Day(iso: date)
            let dataset = try dataOptions.load()
            try dataset.checkCovered(day)
            var out = ""
            var items: [String] = []
            if format == .csv { out = "id,name,lat,lon,controller,since,source,besieged_by\n" }
            let sieges = dataset.sieges(on: day)
            for p in dataset.gazetteer.places {
                let e = dataset.timeline.event(for: p.id, on: day)
                let siege = sieges[p.id]
                let lat = String(format: "%.4f", p.coordinate.lat), lon = String(format: "%.4f", p.coordinate.lon)
                switch format {
                case .csv:
                    out += [p.id, csvField(p.name), lat, lon, e?.controller ?? "", e?.date.iso ?? "", csvField(e?.source ?? ""),
                            siege?.besieger ?? ""].joined(separator: ",") + "\n"
                case .json:
                    let c = e.map { GeoJSON.jsonString($0.controller) } ?? "null"
                    let since = e.map { "\"\($0.date)\"" } ?? "null"
                    let src = e.map { GeoJSON.jsonString($0.source) } ?? "null"
                    items.append("{\"id\": \(GeoJSON.jsonString(p.id)), \"name\": \(GeoJSON.jsonString(p.name)), \"lat\": \(lat), \"lon\": \(lon), \"controller\": \(c), \"since\": \(since), \"source\": \(src), \"siege\": \(siegeJSON(siege))}")
                }
            }
            if format == .json { out = "{\"date\": \"\(day)\", \"places\": [\n  " + items.joined(separator: ",\n  ") + "\n]}\n" }
            print(out, terminator: "")
        }
    }
}

/// A siege as the `siege` member of a place in `control --format json`: null when none.
func siegeJSON(_ s: Siege?) -> String {
    guard let s else { return "null" }
    return "{\"besieger\": \(GeoJSON.jsonString(s.besieger)), \"start\": \"\(s.start)\", \"end\": \"\(s.end)\", \"source\": \(GeoJSON.jsonString(s.source))}"
}
