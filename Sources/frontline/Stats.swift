import ArgumentParser
import Foundation
import FrontlineData
import FrontlineGeometry
import FrontlineRender

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Area (km²), population and places held by each side on one day.",
        discussion: """
        Areas are measured on a Lambert azimuthal equal-area projection; population is the sum of \
        the GeoNames populations of the places each side held.

          frontline stats --date 2017-11-19
          frontline stats --date 2017-11-19 --format json
        """
    )

    @OptionGroup var dataOptions: DataOptions
    @Option(help: ArgumentHelp("The day, YYYY-MM-DD.", valueName: "date")) var date: String
    @Option(help: "Output format: table, json or csv.") var format: TableFormat = .table
    @Option(help: ArgumentHelp("Break the figures down: 'governorate'.", valueName: "unit")) var by: String?

    mutating func validate() throws {
        _ = try parseDay(date, option: "--date")
        if let by, by != "governorate" { throw ValidationError("--by: unknown breakdown '\(by)'; use governorate") }
    }

    func run() throws {
        try reportingErrors {
            let day = try Day(iso: date)
            let dataset = try dataOptions.load()
            let (snapshot, territory, builder) = try territory(dataset, on: day, cache: dataOptions.cache(for: dataset))
            if by == "governorate" {
                let rows = try builder.byGovernorate(territory, snapshot: snapshot)
                print(Stats.format(rows, day: day, dataset: dataset, as: format), terminator: "")
            } else {
                print(Stats.format(territory, dataset: dataset, as: format), terminator: "")
            }
        }
    }

    static func format(_ rows: [GovernorateBreakdown], day: Day, dataset: Dataset, as format: TableFormat) -> String {
        switch format {
        case .json:
            let items = rows.map { g in
                let shares = g.shares.map { s in
                    "{\"id\": \(GeoJSON.jsonString(s.controller)), \"name\": \(GeoJSON.jsonString(dataset.factions.name(of: s.controller))), \"area_km2\": \(oneDecimal(s.areaKm2)), \"hinterland_km2\": \(oneDecimal(s.hinterlandKm2)), \"population\": \(s.population), \"places\": \(s.places)}"
                }
                return "{\"id\": \(GeoJSON.jsonString(g.id)), \"name\": \(GeoJSON.jsonString(g.name)), \"country\": \(GeoJSON.jsonString(g.country)), \"area_km2\": \(oneDecimal(g.areaKm2)), \"factions\": [\(shares.joined(separator: ", "))]}"
            }
            return "{\"date\": \"\(day)\", \"governorates\": [\n  \(items.joined(separator: ",\n  "))\n]}\n"
        case .csv:
            var out = "date,governorate_id,governorate,country,id,name,area_km2,hinterland_km2,population,places\n"
            for g in rows {
                for s in g.shares {
                    out += "\(day),\(g.id),\(csvField(g.name)),\(g.country),\(s.controller),\(csvField(dataset.factions.name(of: s.controller))),\(oneDecimal(s.areaKm2)),\(oneDecimal(s.hinterlandKm2)),\(s.population),\(s.places)\n"
                }
            }
            return out
        case .table:
            var out = "Control by governorate on \(day.longDescription)\n"
            for g in rows {
                out += "\n\(g.name) (\(g.id), \(formatArea(g.areaKm2)) km²)\n"
                out += "  " + "".padding(toLength: 38, withPad: " ", startingAt: 0) + "held km²".leftPadded(10) + "  share"
                    + "hinterland".leftPadded(11) + "  share" + "people".leftPadded(19) + "\n"
                for s in g.shares.sorted(by: { $0.areaKm2 + $0.hinterlandKm2 > $1.areaKm2 + $1.hinterlandKm2 }) {
                    let name = dataset.factions.name(of: s.controller)
                    func share(_ a: Double) -> String { g.areaKm2 > 0 ? String(format: "%5.1f%%", a / g.areaKm2 * 100) : "    -" }
                    out += "  " + name.padding(toLength: 38, withPad: " ", startingAt: 0)
                        + formatArea(s.areaKm2).leftPadded(10) + " " + share(s.areaKm2)
                        + formatArea(s.hinterlandKm2).leftPadded(11) + " " + share(s.hinterlandKm2)
                        + formatThousands(s.population).leftPadded(12) + " people" + String(s.places).leftPadded(5) + " places\n"
                }
                let held = g.shares.reduce(0) { $0 + $1.areaKm2 + $1.hinterlandKm2 }
                if g.areaKm2 - held > 1 {
                    out += "  " + "No fixed control (between hostile sides)".padding(toLength: 38, withPad: " ", startingAt: 0)
                        + formatArea(g.areaKm2 - held).leftPadded(10) + " " + String(format: "%5.1f%%", (g.areaKm2 - held) / g.areaKm2 * 100) + "\n"
                }
            }
            return out
        }
    }

    static func format(_ territory: Territory, dataset: Dataset, as format: TableFormat) -> String {
        let rows = territory.parts.map { p in
            (id: p.controller, name: dataset.factions.name(of: p.controller), area: p.areaKm2, hinterland: p.hinterlandKm2,
             pop: p.population, hinterlandPop: p.hinterlandPopulation, places: p.places)
        }
        switch format {
        case .json:
            return TerritoryReport.statsJSON(territory, dataset: dataset)
        case .csv:
            var out = "date,id,name,area_km2,hinterland_km2,total_km2,population,hinterland_population,places\n"
            for r in rows {
                out += "\(territory.day),\(r.id),\(csvField(r.name)),\(oneDecimal(r.area)),\(oneDecimal(r.hinterland)),\(oneDecimal(r.area + r.hinterland)),\(r.pop),\(r.hinterlandPop),\(r.places)\n"
            }
            return out
        case .table:
            let total = rows.reduce(0) { $0 + $1.area + $1.hinterland }
            let nameW = max(20, rows.map(\.name.count).max() ?? 0)
            func pad(_ s: String, _ w: Int, right: Bool = false) -> String {
                let p = String(repeating: " ", count: max(0, w - s.count))
                return right ? p + s : s + p
            }
            var out = "Control on \(territory.day.longDescription)\n\n"
            out += pad("Side", nameW) + "  " + pad("Area km²", 10, right: true) + "  " + pad("Hinterland", 10, right: true)
                + "  " + pad("Total km²", 10, right: true) + "  " + pad("Share", 6, right: true)
                + "  " + pad("Population", 11, right: true) + "  " + pad("Places", 6, right: true) + "\n"
            out += String(repeating: "-", count: nameW + 67) + "\n"
            for r in rows {
                let share = total > 0 ? String(format: "%.1f%%", (r.area + r.hinterland) / total * 100) : "-"
                out += pad(r.name, nameW) + "  " + pad(formatArea(r.area), 10, right: true) + "  " + pad(formatArea(r.hinterland), 10, right: true)
                    + "  " + pad(formatArea(r.area + r.hinterland), 10, right: true) + "  " + pad(share, 6, right: true)
                    + "  " + pad(formatThousands(r.pop), 11, right: true) + "  " + pad(String(r.places), 6, right: true) + "\n"
            }
            out += "\nHeld: land around each side's towns and along the links between them (the tier compared with the\n"
                + "IHS and coalition estimates). Hinterland: desert reached from its towns and roads, nearer to them than\n"
                + "to any other side's. Population: every GeoNames settlement, counted for the side whose land it lies in.\n"
            return out
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
