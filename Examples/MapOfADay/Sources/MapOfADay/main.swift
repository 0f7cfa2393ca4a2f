import Foundation
import FrontlineData
import FrontlineGeometry
import FrontlineRender

// usage: MapOfADay DATA_DIR YYYY-MM-DD OUT.png|svg|pdf
let args = CommandLine.arguments
guard args.count == 4 else {
    FileHandle.standardError.write(Data("usage: MapOfADay DATA_DIR YYYY-MM-DD OUT.png\n".utf8))
    exit(2)
}
do {
    // 1. The data: places, the dated control events, factions, basemap.
    var warnings: [DataProblem] = []
    let dataset = try Dataset.load(directory: args[1], warnings: &warnings)
    let day = try Day(iso: args[2])
    try dataset.checkCovered(day)

    // 2. Who held each place that day, and the land that follows from it.
    let snapshot = dataset.timeline.snapshot(on: day)
    let builder = try TerritoryBuilder(dataset: dataset)
    let territory = try builder.build(snapshot)
    for part in territory.parts {
        print("\(dataset.factions.name(of: part.controller)): \(Int(part.areaKm2)) km² held, \(Int(part.hinterlandKm2)) km² hinterland")
    }

    // 3. The map: Iraq only, 1200×900, labels in English and Arabic.
    let options = MapOptions(size: Size(1200, 900), region: .iraq, labels: .both)
    let renderer = try MapRenderer(dataset: dataset, projection: builder.projection, options: options)
    try renderer.write(territory: territory, snapshot: snapshot, to: args[3])
    print("wrote \(args[3])")
} catch {
    FileHandle.standardError.write(Data("MapOfADay: \(error)\n".utf8))
    exit(1)
}
