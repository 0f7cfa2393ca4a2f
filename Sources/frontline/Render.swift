import ArgumentParser
import Foundation
import FrontlineData
import FrontlineGeometry
import FrontlineRender

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw the map of who held what on one day.",
        discussion: """
        Writes PNG, SVG or PDF (1600x1200 unless --size says otherwise), chosen by the extension of \
        --out. The file is written atomically: \
        if anything fails, no file is left behind and an existing file is not touched.

          frontline render --date 2017-11-19 --out map.png
          frontline render --date 2017-07-10 --region iraq --labels ar --out mosul.pdf
          frontline render --date 2017-10-17 --region 37,34,41.5,37 --size 1200x900 --out raqqa.svg
          frontline render --date 2017-11-19 --theme colourblind --out map-cb.png
        """
    )

    @OptionGroup var dataOptions: DataOptions

    @Option(help: ArgumentHelp("The day to map, YYYY-MM-DD.", valueName: "date"))
    var date: String

    @Option(help: ArgumentHelp("Output file: .png, .svg or .pdf.", valueName: "file"))
    var out: String = "map.png"

    @OptionGroup var map: MapArguments

    mutating func validate() throws {
        _ = try parseDay(date, option: "--date")
        guard OutputFormat(path: out) != nil else {
            throw ValidationError("--out: cannot write '\(out)': unsupported file type; use .png, .svg or .pdf")
        }
    }

    func run() throws {
        try reportingErrors {
            StageTrace.mark("start")
            let day = try Day(iso: date)
            try AtomicFile.checkWritable(out)
            // The data is loaded on the other cores while this thread loads the fonts it will
            // measure the labels with.
            let loading = Loading { [dataOptions] in try dataOptions.load() }
            CairoCanvas.warmUpFonts()
            StageTrace.mark("fonts ready")
            let dataset = try loading.wait()
            StageTrace.mark("data loaded")
            try dataset.checkCovered(day)
            let cache = dataOptions.cache(for: dataset)
            StageTrace.mark("cache opened")
            let snapshot = dataset.timeline.snapshot(on: day)
            StageTrace.mark("snapshot")
            // A day drawn before: its territory comes from the cache, and no builder is needed.
            let territory: Territory, projection: Projection
            if let cache, let known = TerritoryBuilder.cached(snapshot, people: false, merged: false, in: cache) {
                territory = known
                projection = try Projection.regionalEqualArea()
            } else {
                let builder = try TerritoryBuilder(dataset: dataset, cache: cache)
                territory = try builder.build(snapshot, people: false, merged: false)
                projection = builder.projection
            }
            StageTrace.mark("territory")
            let options = try map.options(defaultSize: "1600x1200")
            let renderer = try MapRenderer(dataset: dataset, projection: projection, options: options)
            // The layers that do not change with the date are kept as pixels in the cache.
            renderer.cachesStaticLayers = cache != nil
            renderer.layerCache = cache
            StageTrace.mark("renderer prepared")
            try renderer.write(territory: territory, snapshot: snapshot, to: out)
            StageTrace.mark("written")

            print("wrote \(out) (\(day), \(Int(options.size.width))x\(Int(options.size.height)))")
            // The map is written: end the process here rather than free the data, the territory
            // and the renderer piece by piece (15 ms of a 0.25 s render).
            StageTrace.mark("done")
            exitNow()
        }
    }
}
