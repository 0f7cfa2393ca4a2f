import Foundation
import FrontlineData
import FrontlineGeometry
import FrontlineRender

// Prints timings for the stages of drawing one map. Run in release mode:
//   swift run -c release frontline-bench [--data Geodata] [--date 2017-11-19] [--runs 20]

var dataDir = "Geodata", date = "2017-11-19", runs = 20, sizeText = "1600x1200"
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    switch a {
    case "--data": dataDir = args.next() ?? dataDir
    case "--date": date = args.next() ?? date
    case "--runs": runs = Int(args.next() ?? "") ?? runs
    case "--size": sizeText = args.next() ?? sizeText
    default: FileHandle.standardError.write(Data("unknown argument \(a)\n".utf8)); exit(64)
    }
}

func measure(_ name: String, _ body: () throws -> Void) rethrows {
    let clock = ContinuousClock()
    var times: [Double] = []
    for _ in 0..<runs {
        let t = clock.measure { try? body() }
        times.append(Double(t.components.attoseconds) / 1e15 + Double(t.components.seconds) * 1000)
    }
    times.sort()
    let median = times[times.count / 2]
    print(String(format: "%-44@ median %8.2f ms   min %8.2f ms   (%d runs)", name as NSString, median, times[0], runs))
}

do {
    let day = try Day(iso: date)
    let size = try parseImageSize(sizeText)
    let pw = Int(size.width), ph = Int(size.height)
    var w: [DataProblem] = []
    var dataset = try Dataset.load(directory: dataDir, warnings: &w)
    print("frontline-bench: \(dataset.gazetteer.places.count) places, \(dataset.timeline.events.count) events, date \(day)")
    try measure("load data (CSV + GeoJSON)") { dataset = try Dataset.load(directory: dataDir, warnings: &w) }
    let snapshot = dataset.timeline.snapshot(on: day)
    try measure("snapshot") { _ = dataset.timeline.snapshot(on: day) }
    try measure("territory, cold (projection + Voronoi + union)") {
        _ = try TerritoryBuilder(dataset: dataset).build(snapshot)
    }
    try measure("territory builder init (countries, banks, zones)") { _ = try TerritoryBuilder(dataset: dataset) }
    try measure("territory: init + cells") {
        _ = try TerritoryBuilder(dataset: dataset).cells(for: Set(snapshot.controllers.keys))
    }
    try measure("territory, cold, no merge (what render does)") {
        _ = try TerritoryBuilder(dataset: dataset).build(snapshot, people: false, merged: false)
    }
    let builder = try TerritoryBuilder(dataset: dataset)
    let territory = try builder.build(snapshot)
    try measure("territory, cells cached (union only)") { _ = try builder.build(snapshot) }
    let renderer = try MapRenderer(dataset: dataset, projection: builder.projection, options: MapOptions(size: size))
    try measure("renderer setup (project basemap)") {
        _ = try MapRenderer(dataset: dataset, projection: builder.projection, options: MapOptions(size: size))
    }
    try measure("draw \(pw)x\(ph) (Cairo + Pango)") {
        let canvas = try CairoCanvas(format: .png, size: size, path: nil)
        renderer.draw(territory: territory, snapshot: snapshot, on: canvas)
    }
    let out = NSTemporaryDirectory() + "frontline-bench.png"
    try measure("draw in bands + PNG in stripes \(pw)x\(ph) (what render does)") {
        try renderer.write(territory: territory, snapshot: snapshot, to: out)
    }
    try measure("draw on one canvas + PNG in stripes \(pw)x\(ph)") {
        let canvas = try CairoCanvas(format: .png, size: size, path: nil)
        renderer.draw(territory: territory, snapshot: snapshot, on: canvas)
        try canvas.writeFastPNG(to: out)
    }
    let base = try CairoCanvas(format: .png, size: size, path: nil)
    renderer.draw(territory: territory, snapshot: snapshot, on: base)
    try measure("animation frame \(pw)x\(ph): copy map, date, fast PNG") {
        let canvas = try CairoCanvas(format: .png, size: size, path: nil)
        canvas.paint(base)
        renderer.drawTitle(for: day, on: canvas)
        try canvas.writeFastPNG(to: out)
    }
    try measure("whole map: load → territory → PNG") {
        var w2: [DataProblem] = []
        let ds = try Dataset.load(directory: dataDir, warnings: &w2)
        let b = try TerritoryBuilder(dataset: ds)
        let s = ds.timeline.snapshot(on: day)
        let r = try MapRenderer(dataset: ds, projection: b.projection, options: MapOptions(size: size))
        try r.write(territory: try b.build(s), snapshot: s, to: out)
    }
    try? FileManager.default.removeItem(atPath: out)
} catch {
    FileHandle.standardError.write(Data("frontline-bench: \(error)\n".utf8))
    exit(1)
}
