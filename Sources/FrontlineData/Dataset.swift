import Foundation

/// Everything in a data folder (`Geodata/`): metadata, factions, places, timeline and basemap.
/// Somewhere parsed data files are kept between runs (the territory cache folder): a basemap
/// layer or timeline file whose bytes were parsed before is read back from there instead of
/// parsed again, which is most of the time it takes to load the data. Only files that parsed
/// without any problem are kept, so every problem is still reported where it is.
public protocol ParseCache: Sendable {
    /// The features parsed before from a file of these bytes (`file` is relative to the data folder).
    func features(of file: String, bytes: Data) -> [GeoFeature]?
    /// Keeps the features parsed from a file of these bytes.
    func keep(_ features: [GeoFeature], of file: String, bytes: Data)
    /// The events parsed before from a timeline file of these bytes, with these places, zones and
    /// factions (the implementation's key covers them); `file` is the name events carry.
    func events(of file: String, bytes: Data) -> [ControlEvent]?
    /// Keeps the events parsed, without a problem, from a timeline file of these bytes.
    func keep(_ events: [ControlEvent], of file: String, bytes: Data)
}

public struct Dataset: Sendable {
    public let directory: String
    public let info: DatasetInfo
    public let factions: FactionCatalog
    public let gazetteer: Gazetteer
    public let timeline: Timeline
    public let atlas: Atlas
    /// Desert pockets and other areas with no tracked town (`zones.csv`, optional).
    public let zones: [Zone]
    /// Besieged towns and enclaves (`sieges/*.csv`, optional).
    public let sieges: [Siege]

    public init(directory: String, info: DatasetInfo, factions: FactionCatalog, gazetteer: Gazetteer,
                timeline: Timeline, atlas: Atlas, zones: [Zone] = [], sieges: [Siege] = []) {
        self.directory = directory; self.info = info; self.factions = factions
        self.gazetteer = gazetteer; self.timeline = timeline; self.atlas = atlas; self.zones = zones
        self.sieges = sieges
    }

    public func zone(_ id: String) -> Zone? { zones.first { $0.id == id } }

    /// The display name of a place or zone id.
    public func name(of id: String) -> String { gazetteer[id]?.name ?? zone(id)?.name ?? id }

    /// Loads a data folder. Errors stop the load and are all reported together;
    /// warnings are returned through `warnings`.
    /// `parseCache` keeps parsed basemap layers and timeline files between runs (see `ParseCache`).
    public static func load(directory: String, warnings: inout [DataProblem], parseCache: ParseCache? = nil) throws -> Dataset {
        var problems: [DataProblem] = []
        let dir = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        func path(_ rel: String) -> String { dir + "/" + rel }
        func name(_ rel: String) -> String { displayPath(dir, rel) }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw DataProblems([DataProblem(file: dir, "no such data folder; pass --data DIR or set FRONTLINE_DATA")])
        }

        func attempt<T>(_ body: () throws -> T) -> T? { collecting(into: &problems, dir: dir, body) }

        // The basemap does not depend on the tables: its files are parsed on the other cores
        // meanwhile, one task each (GeoJSON parsing was two thirds of the load); their problems
        // are reported in their usual place, in file order.
        let layers = ["countries", "governorates", "rivers", "lakes", "sparse"]
        let basemap = BasemapLoad(layers.count)
        let group = DispatchGroup()
        var tasks: [() -> Void] = []
        for (i, layer) in layers.enumerated() {
            let rel = "basemap/\(layer).geojson"
            if layer == "sparse" && !FileManager.default.fileExists(atPath: path(rel)) { continue }
            tasks.append {
                var found: [DataProblem] = []
                let features = collecting(into: &found, dir: dir) { () throws -> [GeoFeature] in
                    guard let store = parseCache else { return try GeoJSON.readFeatures(path: path(rel), displayName: name(rel)) }
                    guard let bytes = FileBytes.read(path(rel)) else { throw DataProblem(file: name(rel), "cannot read the file") }
                    if let known = store.features(of: rel, bytes: bytes) { return known }
                    let parsed = try GeoJSON.parseFeatures(bytes, file: name(rel))
                    store.keep(parsed, of: rel, bytes: bytes)
                    return parsed
                }
                basemap.set(i, layer, features ?? [], found)
            }
        }
        tasks.append {
            let rel = "basemap/settlements.csv"
            guard FileManager.default.fileExists(atPath: path(rel)) else { return }
            var found: [DataProblem] = []
            let s = collecting(into: &found, dir: dir) { try Settlement.load(path: path(rel), displayName: name(rel)) }
            basemap.set(layers.count, "settlements", [], found, settlements: s ?? [])
        }
        // Threads pay off for the shipped basemap (about 250 KB); a small one (test fixtures, the
        // fuzzer's inputs) is parsed at once, here, which is quicker than handing it out.
        let basemapBytes = layers.reduce(0) { total, layer in
            total + ((try? FileManager.default.attributesOfItem(atPath: path("basemap/\(layer).geojson"))[.size] as? Int) ?? 0)
        }
        if basemapBytes >= 64 * 1024 {
            for task in tasks { DispatchQueue.global(qos: .userInitiated).async(group: group, execute: task) }
        } else {
            for task in tasks { task() }
        }

        let info = attempt { try DatasetInfo.load(path: path("dataset.json"), displayName: name("dataset.json")) }
        let factions = attempt { try FactionCatalog.load(path: path("factions.csv"), displayName: name("factions.csv")) }
        StageTrace.mark("data: started")
        let gazetteer = attempt { try Gazetteer.load(path: path("places.csv"), displayName: name("places.csv")) }
        StageTrace.mark("data: places read")
        let zoneTable = FileManager.default.fileExists(atPath: path("zones.csv"))
            ? attempt { try CSVTable.read(path: path("zones.csv"), displayName: name("zones.csv")) } : nil
        let zones = zoneTable.flatMap { table in attempt { try Zone.parse(table) } } ?? []
        // Every id zones.csv names, even on a malformed row: one bad zone row must not also turn
        // every timeline row about that zone into an "unknown place" error.
        var zoneIDs = Set(zones.map(\.id))
        if let zoneTable, let idx = try? zoneTable.columns(["id"]) {
            zoneIDs.formUnion(zoneTable.rows.map { $0["id", in: idx] })
        }
        if let gazetteer {
            for z in zones where gazetteer[z.id] != nil {
                problems.append(DataProblem(file: name("zones.csv"), "zone id '\(z.id)' is also a place id"))
            }
        }
        let basemapProblemsAt = problems.count
        let timelineFiles = ((try? FileManager.default.contentsOfDirectory(atPath: path("timeline"))) ?? [])
            .filter { $0.hasSuffix(".csv") }.sorted()
        if timelineFiles.isEmpty {
            problems.append(DataProblem(file: name("timeline"), "no timeline CSV files"))
        }
        var events: [ControlEvent] = []
        if let factions, let gazetteer {
            // One file per task on every core; events and problems are joined in file order.
            let parsed = ResultSlots<([ControlEvent], [DataProblem])>(timelineFiles.count)
            DispatchQueue.concurrentPerform(iterations: timelineFiles.count) { i in
                let rel = "timeline/" + timelineFiles[i]
                var found: [DataProblem] = []
                var fileEvents: [ControlEvent] = []
                let bytes = parseCache == nil ? nil : FileBytes.read(path(rel))
                if let bytes, let known = parseCache?.events(of: name(rel), bytes: bytes) {
                    parsed.set(i, (known, []))
                    return
                }
                if let table = collecting(into: &found, dir: dir, { () throws -> CSVTable in
                    if let bytes { return try CSVTable.parse(bytes, file: name(rel)) }
                    return try CSVTable.read(path: path(rel), displayName: name(rel))
                }) {
                    fileEvents = Timeline.parse(table: table, gazetteer: gazetteer, zones: zoneIDs,
                                                factions: factions, problems: &found)
                }
                if let bytes, found.isEmpty { parseCache?.keep(fileEvents, of: name(rel), bytes: bytes) }
                parsed.set(i, (fileEvents, found))
            }
            for case let (fileEvents, found)? in parsed.values {
                events += fileEvents
                problems += found
            }
        }
        StageTrace.mark("data: tables read")
        var sieges: [Siege] = []
        let siegeFiles = ((try? FileManager.default.contentsOfDirectory(atPath: path("sieges"))) ?? [])
            .filter { $0.hasSuffix(".csv") }.sorted()
        if let factions, let gazetteer {
            for f in siegeFiles {
                let rel = "sieges/" + f
                if let table = attempt({ try CSVTable.read(path: path(rel), displayName: name(rel)) }) {
                    sieges += Siege.parse(table: table, gazetteer: gazetteer, zones: zoneIDs, factions: factions,
                                          problems: &problems)
                }
            }
        }
        StageTrace.mark("data: sieges read")
        group.wait()
        StageTrace.mark("data: basemap joined")
        problems.insert(contentsOf: basemap.problems.joined(), at: basemapProblemsAt)
        let atlasParts = basemap.parts, settlements = basemap.settlements
        let errors = problems.filter { $0.severity == .error }
        warnings += problems.filter { $0.severity == .warning }
        guard errors.isEmpty, let info, let factions, let gazetteer else { throw DataProblems(errors) }
        let atlas = Atlas(countries: atlasParts["countries"]!, governorates: atlasParts["governorates"]!,
                          rivers: atlasParts["rivers"]!, lakes: atlasParts["lakes"]!, sparse: atlasParts["sparse"] ?? [],
                          settlements: settlements)
        if atlas.country("IRQ") == nil && atlas.country("SYR") == nil {
            throw DataProblems([DataProblem(file: name("basemap/countries.geojson"), "no country with iso_a3 IRQ or SYR")])
        }
        return Dataset(directory: dir, info: info, factions: factions, gazetteer: gazetteer,
                       timeline: Timeline(events: events), atlas: atlas, zones: zones, sieges: sieges)
    }

    /// Checks that a day lies inside the period the data covers.
    public func checkCovered(_ day: Day) throws {
        guard day >= info.coverageFrom, day <= info.coverageTo else {
            throw CoverageError(day: day, from: info.coverageFrom, to: info.coverageTo)
        }
    }

    /// Problems that do not stop rendering but that `validate` reports.
    public func lint() -> [DataProblem] {
        var out: [DataProblem] = []
        let placesFile = displayPath(directory, "places.csv")
        let used = timeline.placeIDs
        for p in gazetteer.places {
            if !used.contains(p.id) {
                out.append(DataProblem(file: placesFile, "place '\(p.id)' has no events in the timeline", severity: .warning))
            } else if timeline.event(for: p.id, on: info.coverageFrom) == nil {
                let first = timeline.events(for: p.id).first!
                out.append(DataProblem(file: first.file, line: first.line,
                                       "place '\(p.id)' has no controller on \(info.coverageFrom), the start of coverage", severity: .warning))
            }
            let c = p.coordinate
            if !info.region.contains(c) {
                out.append(DataProblem(file: placesFile, "place '\(p.id)' at \(c.lat),\(c.lon) lies outside the region \(info.region)"))
            }
        }
        for z in zones where !used.contains(z.id) {
            out.append(DataProblem(file: displayPath(directory, "zones.csv"), "zone '\(z.id)' has no events in the timeline", severity: .warning))
        }
        let riverNames = Set(atlas.rivers.compactMap { $0["name"] })
        for (country, names) in info.barriers.sorted(by: { $0.key < $1.key }) {
            for n in names where !riverNames.contains(n) {
                out.append(DataProblem(file: displayPath(directory, "dataset.json"),
                                       "barrier_rivers.\(country): no river named '\(n)' in basemap/rivers.geojson"))
            }
        }
        // Two places closer than 1 km draw one dot on another; say why in the place's note
        // (a city split between sides, an air base beside its town).
        let near = gazetteer.places.sorted { $0.coordinate.lat < $1.coordinate.lat }
        for (i, a) in near.enumerated() {
            for b in near[(i + 1)...] {
                if b.coordinate.lat - a.coordinate.lat > 0.01 { break }
                let d = a.coordinate.distanceKm(to: b.coordinate)
                if d < 1 && a.note.isEmpty && b.note.isEmpty {
                    out.append(DataProblem(file: placesFile,
                        "places '\(a.id)' and '\(b.id)' are \(String(format: "%.2f", d)) km apart; merge them or say why in a note",
                        severity: .warning))
                }
            }
        }
        // Every GeoNames id must be one of the settlements the basemap builder read.
        if !atlas.settlements.isEmpty {
            let known = Set(atlas.settlements.map(\.geonameID))
            for p in gazetteer.places {
                guard let g = p.geonameID, !known.contains(g) else { continue }
                out.append(DataProblem(file: placesFile,
                    "place '\(p.id)': geonameid \(g) is not in basemap/settlements.csv (GeoNames cities500 of Iraq and Syria)"))
            }
        }
        out += siegeProblems()
        var rows = Set<String>()
        for e in timeline.events {
            let key = "\(e.date)|\(e.place)|\(e.controller)"
            if !rows.insert(key).inserted {
                out.append(DataProblem(file: e.file, line: e.line, "duplicate row: \(e.place) → \(e.controller) on \(e.date)"))
            }
            if e.date > info.coverageTo {
                out.append(DataProblem(file: e.file, line: e.line, "event on \(e.date) is after the end of coverage \(info.coverageTo)", severity: .warning))
            }
        }
        // A row must change something: a row restating the controller a place already has is
        // noise in every count of changes (a siege or a status note goes in sieges/ or the note
        // of the row that began the period), and two controllers on one day leave it undecided.
        for id in timeline.placeIDs.sorted() {
            let events = timeline.events(for: id)
            for (a, b) in zip(events, events.dropFirst()) {
                if a.date == b.date && a.controller != b.controller {
                    out.append(DataProblem(file: b.file, line: b.line,
                        "\(id) has two controllers on \(b.date) (\(a.controller), \(b.controller)); make the first day contested and date the outcome"))
                } else if a.controller == b.controller && a.date != b.date {
                    out.append(DataProblem(file: b.file, line: b.line,
                        "row gives \(id) \(b.controller), which it has held since \(a.date) (\(a.location)); drop it or put the status in a note or sieges/",
                        severity: .warning))
                }
            }
        }
        return out
    }

    /// Rows that state where coverage starts (dated at or before its first day, note `start: …`)
    /// apart from dated changes of hands: validate counts them apart, and `start unknown` marks
    /// a start inferred from the later event's page (which names the previous holder).
    public var startRows: (all: Int, unknown: Int) {
        let starts = timeline.events.filter { $0.date <= info.coverageFrom && $0.note.hasPrefix("start:") }
        return (starts.count, starts.filter { $0.note.contains("start unknown") }.count)
    }
}

public struct CoverageError: Error, CustomStringConvertible {
    public let day: Day, from: Day, to: Day
    public var description: String { "\(day) is outside the data, which covers \(from) to \(to)" }
}

/// A longitude/latitude box.
public struct GeoBox: Hashable, Sendable, CustomStringConvertible {
    public var minLon: Double, minLat: Double, maxLon: Double, maxLat: Double
    public init(minLon: Double, minLat: Double, maxLon: Double, maxLat: Double) {
        self.minLon = minLon; self.minLat = minLat; self.maxLon = maxLon; self.maxLat = maxLat
    }
    public func contains(_ c: Coordinate) -> Bool {
        c.lon >= minLon && c.lon <= maxLon && c.lat >= minLat && c.lat <= maxLat
    }
    public var description: String { "\(minLon),\(minLat),\(maxLon),\(maxLat)" }

    /// Parses `minlon,minlat,maxlon,maxlat`.
    public init?(parsing text: String) {
        let v = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard v.count == 4, let a = v[0], let b = v[1], let c = v[2], let d = v[3],
              a < c, b < d, (-180...180).contains(a), (-180...180).contains(c),
              (-90...90).contains(b), (-90...90).contains(d) else { return nil }
        self.init(minLon: a, minLat: b, maxLon: c, maxLat: d)
    }
}

/// `dataset.json`: the name of the dataset, the period it covers, and its region.
public struct DatasetInfo: Sendable {
    public let title: String
    public let coverageFrom: Day
    public let coverageTo: Day
    public let region: GeoBox
    public let attribution: String
    /// How far a place's control reaches into sparsely populated land (basemap/sparse.geojson);
    /// sparse land beyond every place's reach is desert with no fixed control.
    public let desertReachKm: Double?
    /// How far a place's control reaches anywhere, so that settled land far from every tracked
    /// place (a remote village GeoNames knows but the timeline does not) stays unassigned.
    public let reachKm: Double?
    /// Rivers (by basemap name) that no cell crosses, per country code: a town's land stops at
    /// the river, which was the front line for years (the Euphrates in Syria from 2016).
    public let barriers: [String: [String]]
    /// Two neighbouring places of one side closer than this are linked (the route between them):
    /// the held land of both reaches along the link, so a valley of one side is one area.
    public let linkMaxKm: Double?
    /// Half the width of the strip of held land along a link (a road or a valley floor).
    public let linkHalfWidthKm: Double
    /// Hinterland stops this far short of the line halfway to a hostile side's place or pocket,
    /// so a no-man's-land strip twice as wide stays unassigned along every front.
    public let frontGapKm: Double
    /// Pairs of sides that did not fight each other: no no-man's-land between their hinterlands.
    public let allies: Set<[String]>

    public init(title: String, coverageFrom: Day, coverageTo: Day, region: GeoBox, attribution: String,
                desertReachKm: Double? = nil, reachKm: Double? = nil, barriers: [String: [String]] = [:],
                linkMaxKm: Double? = nil, linkHalfWidthKm: Double = 5, frontGapKm: Double = 5,
                allies: [[String]] = []) {
        self.title = title; self.coverageFrom = coverageFrom; self.coverageTo = coverageTo
        self.region = region; self.attribution = attribution; self.desertReachKm = desertReachKm
        self.reachKm = reachKm; self.barriers = barriers
        self.linkMaxKm = linkMaxKm; self.linkHalfWidthKm = linkHalfWidthKm; self.frontGapKm = frontGapKm
        self.allies = Set(allies.map { $0.sorted() })
    }

    /// Whether two sides fought each other (no alliance listed; `contested` is hostile to all).
    public func hostile(_ a: String, _ b: String) -> Bool {
        a != b && !allies.contains([a, b].sorted())
    }

    static func load(path: String, displayName: String) throws -> DatasetInfo {
        guard let data = FileBytes.read(path) else {
            throw DataProblem(file: displayName, "cannot read the file")
        }
        guard let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw DataProblem(file: displayName, line: 1, "not a JSON object")
        }
        func day(_ key: String) throws -> Day {
            guard let s = obj[key] as? String else { throw DataProblem(file: displayName, "missing \"\(key)\" date") }
            do { return try Day(iso: s) } catch let e as DayError {
                throw DataProblem(file: displayName, "\(key): \(e.description)")
            }
        }
        let from = try day("coverage_from"), to = try day("coverage_to")
        guard from <= to else { throw DataProblem(file: displayName, "coverage_from is after coverage_to") }
        guard let r = obj["region"] as? [NSNumber], r.count == 4 else {
            throw DataProblem(file: displayName, "region must be [minlon, minlat, maxlon, maxlat]")
        }
        func kilometres(_ key: String) throws -> Double? {
            guard let r = obj[key] else { return nil }
            guard let n = r as? NSNumber, n.doubleValue > 0, n.doubleValue < 10_000 else {
                throw DataProblem(file: displayName, "\(key) must be a positive number of kilometres")
            }
            return n.doubleValue
        }
        let radius = try kilometres("desert_reach_km"), reach = try kilometres("reach_km")
        var barriers: [String: [String]] = [:]
        if let b = obj["barrier_rivers"] {
            guard let dict = b as? [String: Any] else {
                throw DataProblem(file: displayName, "barrier_rivers must map a country code to a list of river names")
            }
            for (country, names) in dict {
                guard let list = names as? [String] else {
                    throw DataProblem(file: displayName, "barrier_rivers.\(country) must be a list of river names")
                }
                barriers[country] = list
            }
        }
        var allies: [[String]] = []
        if let a = obj["allied"] {
            guard let list = a as? [[String]], list.allSatisfy({ $0.count == 2 }) else {
                throw DataProblem(file: displayName, "allied must be a list of pairs of side ids, such as [[\"iraq_gov\", \"kurdistan\"]]")
            }
            allies = list
        }
        return DatasetInfo(title: obj["title"] as? String ?? "Territorial control",
                           coverageFrom: from, coverageTo: to,
                           region: GeoBox(minLon: r[0].doubleValue, minLat: r[1].doubleValue,
                                          maxLon: r[2].doubleValue, maxLat: r[3].doubleValue),
                           attribution: obj["attribution"] as? String ?? "", desertReachKm: radius, reachKm: reach,
                           barriers: barriers, linkMaxKm: try kilometres("link_max_km"),
                           linkHalfWidthKm: try kilometres("link_half_width_km") ?? 5,
                           frontGapKm: try kilometres("front_gap_km") ?? 5, allies: allies)
    }
}

/// `dir/rel`, relative to the working directory when `dir` lies inside it: how files are named in messages.
public func displayPath(_ dir: String, _ rel: String) -> String {
    let cwd = FileManager.default.currentDirectoryPath
    var d = dir
    if d.hasPrefix(cwd + "/") { d = String(d.dropFirst(cwd.count + 1)) }
    return d + "/" + rel
}

/// What the basemap threads of `Dataset.load` hand back: one slot of problems per file, so
/// they are reported in file order whichever thread ends first.
private final class BasemapLoad: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var parts: [String: [GeoFeature]] = [:]
    private(set) var settlements: [Settlement] = []
    private(set) var problems: [[DataProblem]]
    init(_ files: Int) { problems = Array(repeating: [], count: files + 1) }
    func set(_ i: Int, _ layer: String, _ features: [GeoFeature], _ found: [DataProblem], settlements s: [Settlement]? = nil) {
        lock.lock(); defer { lock.unlock() }
        if let s { settlements = s } else { parts[layer] = features }
        problems[i] = found
    }
}

/// Runs `body`, turning what it throws into problems of the data folder `dir`.
private func collecting<T>(into problems: inout [DataProblem], dir: String, _ body: () throws -> T) -> T? {
    do { return try body() } catch let p as DataProblem {
        problems.append(p)
    } catch let ps as DataProblems {
        problems.append(contentsOf: ps.problems)
    } catch {
        problems.append(DataProblem(file: dir, "\(error)"))
    }
    return nil
}
