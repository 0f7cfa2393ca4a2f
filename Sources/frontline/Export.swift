import ArgumentParser
import Foundation
import FrontlineData
import FrontlineGeometry
import FrontlineRender

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write territory or the timeline as GeoJSON (or CSV) for GIS tools.",
        discussion: """
        Three forms, all in WGS 84 longitude/latitude; every polygon is valid by GEOS's test \
        as written (coordinates rounded to 5 decimals, about a metre).

        One day: one feature per side and tier (held, hinterland) with id, name, tier, area_km2.
          frontline export --date 2017-11-19 --out territory.geojson

        The timeline: one point feature per place and controller interval, with place, name, \
        name_ar, controller, valid_from, valid_to, source and note. valid_to is the first day \
        of the next interval (exclusive); it is empty (null) for the last, open interval.
          frontline export --timeline --out control.geojson
          frontline export --timeline --out control.csv

        A territory history: one feature per side and tier for each period in which its land did \
        not change, with valid_from and valid_to (exclusive: the first sampled day it had changed, \
        or the day after --to). A change writes new features only for the sides it touched.
          frontline export --from 2017-06-01 --to 2017-12-31 --step 7d --out territory-history.geojson

        In QGIS: Layer Properties → Temporal → "Separate Fields for Start and End Date/Time", \
        start valid_from, end valid_to; then play the Temporal Controller.
        """
    )

    @OptionGroup var dataOptions: DataOptions
    @Option(help: ArgumentHelp("One day's territory, YYYY-MM-DD.", valueName: "date")) var date: String?
    @Flag(help: "The timeline of every place as controller intervals (.geojson or .csv).") var timeline = false
    @Option(help: ArgumentHelp("First day of a territory history, YYYY-MM-DD.", valueName: "date")) var from: String?
    @Option(help: ArgumentHelp("Last day of a territory history, YYYY-MM-DD.", valueName: "date")) var to: String?
    @Option(help: ArgumentHelp("Sampling step of a territory history: 1d, 7d, 1m …", valueName: "step")) var step: String = "1d"
    @Option(help: ArgumentHelp("Output file: .geojson (or .csv with --timeline).", valueName: "file")) var out: String

    enum Mode { case day(Day), timeline, history(Day, Day, DayStep) }

    func mode() throws -> Mode {
        let modes = [date != nil, timeline, from != nil || to != nil].filter { $0 }.count
        guard modes == 1 else {
            throw ValidationError("give one of --date D, --timeline, or --from D1 --to D2")
        }
        if let date { return .day(try parseDay(date, option: "--date")) }
        if timeline { return .timeline }
        guard let from, let to else { throw ValidationError("a territory history needs both --from and --to") }
        let d1 = try parseDay(from, option: "--from"), d2 = try parseDay(to, option: "--to")
        guard d1 <= d2 else { throw ValidationError("--from \(d1) is after --to \(d2)") }
        let s: DayStep
        do { s = try DayStep(parsing: step) } catch { throw ValidationError("--step: \(error)") }
        return .history(d1, d2, s)
    }

    mutating func validate() throws {
        let m = try mode()
        let ext = (out as NSString).pathExtension.lowercased()
        let csvAllowed: Bool
        if case .timeline = m { csvAllowed = true } else { csvAllowed = false }
        guard ext == "geojson" || ext == "json" || (csvAllowed && ext == "csv") else {
            throw ValidationError("--out: cannot write '\(out)': unsupported file type; use .geojson\(csvAllowed ? " or .csv" : "")")
        }
    }

    func run() throws {
        try reportingErrors {
            let m = try mode()
            try AtomicFile.checkWritable(out)
            let dataset = try dataOptions.load()
            switch m {
            case .day(let day):
                let (_, territory, builder) = try territory(dataset, on: day, cache: dataOptions.cache(for: dataset))
                let (text, count) = try TerritoryReport.geoJSON(territory, builder: builder)
                try AtomicFile.write(Data(text.utf8), to: out)
                print("wrote \(out) (\(count) features, \(day))")
            case .timeline:
                let intervals = dataset.controlIntervals()
                let csv = (out as NSString).pathExtension.lowercased() == "csv"
                let text = csv ? ControlIntervalsExport.csv(intervals) : ControlIntervalsExport.geoJSON(intervals)
                try AtomicFile.write(Data(text.utf8), to: out)
                print("wrote \(out) (\(intervals.count) intervals of \(dataset.gazetteer.places.count) places)")
            case .history(let d1, let d2, let step):
                try dataset.checkCovered(d1)
                try dataset.checkCovered(d2)
                let builder = try TerritoryBuilder(dataset: dataset, cache: dataOptions.cache(for: dataset))
                let days = step.days(from: d1, through: d2)
                let progress = Progress(total: days.count, unit: "days")
                let (text, count) = try TerritoryReport.historyGeoJSON(builder: builder, days: days, end: d2.adding(days: 1),
                                                                       progress: progress.update)
                progress.finish()
                try AtomicFile.write(Data(text.utf8), to: out)
                print("wrote \(out) (\(count) features, \(d1) … \(d2), step \(step))")
            }
        }
    }
}
