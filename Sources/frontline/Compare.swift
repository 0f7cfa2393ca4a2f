import ArgumentParser
import Foundation
import FrontlineData
import FrontlineGeometry
import FrontlineRender

extension ChangeLayout: ExpressibleByArgument {}

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare two dates: what changed hands, with a change map and a report.",
        discussion: """
        With no options, prints a summary. Default image size 1600x1200, side by side 3000x950. --out draws the change map (PNG, SVG or PDF): land that \
        changed hands in the new holder's colour, hatched in the colour of the side that lost it. \
        --report writes Markdown (.md) or JSON (.json). Dates may come in either order; the second \
        before the first gives the reverse comparison.

          frontline compare 2017-06-01 2017-12-01
          frontline compare 2017-06-01 2017-12-01 --out change.png --report change.md
          frontline compare 2017-06-01 2017-12-01 --layout side-by-side --out three.png
          frontline compare 2017-11-01 2017-11-30 --report abu-kamal.json
        """
    )

    @OptionGroup var dataOptions: DataOptions
    @Argument(help: ArgumentHelp("The first date, YYYY-MM-DD.", valueName: "date1")) var date1: String
    @Argument(help: ArgumentHelp("The second date, YYYY-MM-DD.", valueName: "date2")) var date2: String
    @Option(help: ArgumentHelp("Change map: .png, .svg or .pdf.", valueName: "file")) var out: String?
    @Option(help: ArgumentHelp("Report: .md (Markdown) or .json.", valueName: "file")) var report: String?
    @Option(help: "single (the change map) or side-by-side (date 1, date 2 and the change map).") var layout: ChangeLayout = .single
    @OptionGroup var map: MapArguments

    mutating func validate() throws {
        _ = try parseDay(date1, option: "date1")
        _ = try parseDay(date2, option: "date2")
        if let out, OutputFormat(path: out) == nil {
            throw ValidationError("--out: cannot write '\(out)': unsupported file type; use .png, .svg or .pdf")
        }
        if let report, !["md", "json"].contains((report as NSString).pathExtension.lowercased()) {
            throw ValidationError("--report: cannot write '\(report)': unsupported file type; use .md or .json")
        }
    }

    func run() throws {
        try reportingErrors {
            let d1 = try Day(iso: date1), d2 = try Day(iso: date2)
            if let out { try AtomicFile.checkWritable(out) }
            if let report { try AtomicFile.checkWritable(report) }
            let dataset = try dataOptions.load()
            try dataset.checkCovered(d1)
            try dataset.checkCovered(d2)
            let builder = try TerritoryBuilder(dataset: dataset, cache: dataOptions.cache(for: dataset))
            let comparison = try builder.compare(from: d1, to: d2)
            if let out {
                let defaultSize = layout == .sideBySide ? "3000x950" : "1600x1200"
                let options = try map.options(defaultSize: defaultSize)
                let renderer = try MapRenderer(dataset: dataset, projection: builder.projection, options: options)
                try renderer.writeChange(comparison, layout: layout, to: out)
            }
            if let report {
                let text = (report as NSString).pathExtension.lowercased() == "json"
                    ? comparison.json(dataset: dataset) : comparison.markdown(dataset: dataset)
                try AtomicFile.write(Data(text.utf8), to: report)
            }
            if out == nil && report == nil {
                print(comparison.summary(dataset: dataset), terminator: "")
            } else {
                if comparison.isEmpty { print("no change: both dates are \(d1)") }
                if comparison.isReversed { print("note: \(d2) is before \(d1); this is the reverse comparison") }
                for f in [out, report].compactMap({ $0 }) { print("wrote \(f)") }
            }
        }
    }
}
