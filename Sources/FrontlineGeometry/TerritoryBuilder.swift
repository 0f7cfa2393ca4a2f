import Foundation
import FrontlineData

/// The land one controller holds on a day.
public struct TerritoryPart: Sendable {
    public let controller: ControllerID
    /// Polygons in projected metres (regional equal-area projection).
    public let polygons: [PolygonXY]
    public let areaKm2: Double
    /// Sum of the GeoNames populations of the places it holds.
    public let population: Int
    public let places: Int
}

/// Who holds which land on one day, derived from a `ControlSnapshot`.
public struct Territory: Sendable {
    public let day: Day
    /// In faction order, `contested` last.
    public let parts: [TerritoryPart]

    public subscript(controller: ControllerID) -> TerritoryPart? { parts.first { $0.controller == controller } }
    public var totalAreaKm2: Double { parts.reduce(0) { $0 + $1.areaKm2 } }
}

/// Turns snapshots into territory.
///
/// Method: every place with a controller gets the Voronoi cell around it, computed per
/// country from that country's places only and clipped to the country's border, so a
/// town never claims land across the Iraq–Syria border. Sparsely populated land (the
/// basemap's `sparse` layer: farther than 30 km from any GeoNames settlement) is held only
/// within `desert_reach_km` of a held place, and no land farther than `reach_km` from its
/// place; land beyond every place's reach has no fixed control and is counted for nobody. Cells are
/// dissolved per controller. Areas are measured on a Lambert azimuthal equal-area
/// projection, so square metres are true.
///
/// Cells depend only on which places are active, not on who holds them, so they are
/// computed once per set of active places and reused for every snapshot.
public final class TerritoryBuilder {
    public let dataset: Dataset
    public let projection: Projection
    public let context: GEOSContext
    /// Country code (IQ, SY) → projected border.
    public let countryShapes: [String: Geometry]
    /// place id → projected position.
    public let positions: [String: XY]
    /// Projected sparsely populated land, when the basemap has it.
    public let sparseShape: Geometry?
    private let sparsePrepared: PreparedGeometry?
    private var cellCache: [Set<String>: [String: Geometry]] = [:]
    /// GEOS contexts are not thread-safe; the lock makes a builder shared by mistake between
    /// threads slow rather than corrupt. Give each thread its own builder for speed.
    let lock = NSRecursiveLock()
    private let cellOrder: [String]
    /// Country code → the pieces its barrier rivers cut it into (the whole country if none).
    private let domains: [String: [Geometry]]
    /// zone id → its projected shape (disc or corridor), clipped to its country.
    public let zoneShapes: [String: Geometry]
    /// Outline zone id → the places that lie inside the outline.
    private let outlineMembers: [String: [String]]
    /// place id → index of its piece in `domains`, for countries cut by a barrier river.
    private let domainOf: [String: Int]
    /// Half the width of the strip a barrier river removes from the land: the river bed.
    static let barrierHalfWidth = 20.0
    /// Pieces smaller than this (km² × 10⁶) are meander loops, not banks.
    static let minimumDomainArea = 500e6

    public static let countries = ["IQ", "SY"]

    public init(dataset: Dataset, projection: Projection? = nil) throws {
        self.dataset = dataset
        let proj = try projection ?? Projection.regionalEqualArea()
        self.projection = proj
        let context = GEOSContext()
        self.context = context
        var shapes: [String: Geometry] = [:]
        for code in TerritoryBuilder.countries {
            guard let iso3 = Atlas.iso3(forISO2: code), let f = dataset.atlas.country(iso3) else { continue }
            let polys = f.geometry.polygons.map { proj.forward(polygon: $0) }
            shapes[code] = try context.multiPolygon(polys)
        }
        countryShapes = shapes
        // Barrier rivers split a country into domains; cells are computed per domain.
        var domains: [String: [Geometry]] = [:]
        for (code, shape) in shapes {
            let names = Set(dataset.info.barriers[code] ?? [])
            let lines = dataset.atlas.rivers.filter { names.contains($0["name"] ?? "") }
                .flatMap { $0.geometry.lines }.map { proj.forward($0) }
            guard !lines.isEmpty else { domains[code] = [shape]; continue }
            let river = try context.multiLineString(lines).buffer(TerritoryBuilder.barrierHalfWidth, quadrantSegments: 2)
            let pieces = try shape.difference(river).parts.sorted { $0.area > $1.area }
            // Pieces cut off by the river's bends join the nearest large piece (a bank).
            let large = pieces.filter { $0.area >= TerritoryBuilder.minimumDomainArea }
            guard large.count > 1 else { domains[code] = [shape]; continue }
            var groups = large.map { [$0] }
            for small in pieces where small.area < TerritoryBuilder.minimumDomainArea {
                let i = large.indices.min { large[$0].distance(to: small) < large[$1].distance(to: small) }!
                groups[i].append(small)
            }
            domains[code] = try groups.map { try $0.count == 1 ? $0[0] : context.union($0) }
        }
        self.domains = domains
        var zoneShapes: [String: Geometry] = [:]
        for z in dataset.zones {
            guard let country = shapes[z.country] else { continue }
            let raw: Geometry
            if z.isCorridor, let width = z.widthKm {
                let line = try context.multiLineString([proj.forward(z.path)])
                raw = try line.bufferFlatEnds(width * 500)
            } else {
                raw = try context.point(proj.forward(z.centre)).buffer(z.radiusMetres, quadrantSegments: 16)
            }
            var shape = try raw.intersection(country)
            // A zone keeps to the bank of a barrier river its centre lies on.
            if let banks = domains[z.country], banks.count > 1 {
                let centre = try context.point(proj.forward(z.centre))
                shape = try shape.intersection(banks[TerritoryBuilder.bank(of: centre, among: banks)])
            }
            if !shape.isEmpty { zoneShapes[z.id] = try shape.snapped(toGrid: 1) }
        }
        self.zoneShapes = zoneShapes
        let sparsePolys = dataset.atlas.sparse.flatMap { $0.geometry.polygons.map { proj.forward(polygon: $0) } }
        sparseShape = sparsePolys.isEmpty ? nil : try context.multiPolygon(sparsePolys)
        sparsePrepared = sparseShape?.prepared()
        var pos: [String: XY] = [:]
        let places = dataset.gazetteer.places
        let xy = proj.forward(places.map(\.coordinate))
        for (p, q) in zip(places, xy) { pos[p.id] = q }
        positions = pos
        cellOrder = places.map(\.id)
        var domainOf: [String: Int] = [:]
        for p in places {
            guard let parts = domains[p.country], parts.count > 1, let xy = pos[p.id] else { continue }
            let pt = try context.point(xy)
            domainOf[p.id] = TerritoryBuilder.bank(of: pt, among: parts)
        }
        self.domainOf = domainOf
        var inside: [String: [String]] = [:]
        for z in dataset.zones where z.kind == .outline {
            guard let shape = zoneShapes[z.id]?.prepared() else { continue }
            inside[z.id] = try places.filter { $0.country == z.country }.map(\.id)
                .filter { try shape.contains(context.point(pos[$0]!)) }
        }
        outlineMembers = inside
    }

    /// The index of the piece of a country (a bank of its barrier river) that holds `point`, or the
    /// nearest one when the point lies in the river bed.
    private static func bank(of point: Geometry, among banks: [Geometry]) -> Int {
        banks.indices.first { banks[$0].contains(point) }
            ?? banks.indices.min { banks[$0].distance(to: point) < banks[$1].distance(to: point) }!
    }

    /// Territory for `snapshot`. Places with no controller yet take no part.
    public func build(_ snapshot: ControlSnapshot) throws -> Territory {
        lock.lock(); defer { lock.unlock() }
        let active = Set(snapshot.controllers.keys)
        var cells = try cells(for: active)
        for (id, cell) in try outlinedCells(snapshot, active: active, base: cells) { cells[id] = cell }
        var byController: [ControllerID: [Geometry]] = [:]
        var members: [ControllerID: [String]] = [:]
        var population: [ControllerID: Int] = [:]
        var count: [ControllerID: Int] = [:]
        for id in cellOrder {
            guard let c = snapshot.controllers[id] else { continue }
            if let cell = cells[id] { byController[c, default: []].append(cell); members[c, default: []].append(id) }
            population[c, default: 0] += dataset.gazetteer[id]?.population ?? 0
            count[c, default: 0] += 1
        }
        for z in dataset.zones {
            guard let c = snapshot.controllers[z.id] else { continue }
            if let cell = cells[z.id] {
                byController[c, default: []].append(cell)
                members[c, default: []].append(z.id)
            } else if z.kind == .outline, members[c] != nil {
                // The outline changes the cells of the side's places: part of the cache key.
                members[c]!.append(z.id)
            }
        }
        if partCache.active != active { partCache = (active, [:]) }
        let factions = dataset.factions
        let order = byController.keys.sorted { factions.order(of: $0) < factions.order(of: $1) }
        var parts: [TerritoryPart] = []
        for c in order {
            // Between consecutive days usually one or two sides change; the others reuse
            // their dissolved territory.
            let key = "\(c)|" + members[c]!.joined(separator: ",")
            if let cached = partCache.parts[key] {
                parts.append(cached)
                continue
            }
            let merged = try context.coverageUnion(byController[c]!)
            let part = TerritoryPart(controller: c, polygons: merged.polygons, areaKm2: merged.area / 1e6,
                                     population: population[c] ?? 0, places: count[c] ?? 0)
            if partCache.parts.count > 256 { partCache.parts.removeAll() }
            partCache.parts[key] = part
            parts.append(part)
        }
        return Territory(day: snapshot.day, parts: parts)
    }

    /// Area in km² per controller, from cell areas alone (cells never overlap, so this equals
    /// the area of the dissolved territory): cheap enough for every day of a long animation.
    public func areas(_ snapshot: ControlSnapshot) throws -> [ControllerID: Double] {
        lock.lock(); defer { lock.unlock() }
        let areas = try heldAreas(snapshot)
        var out: [ControllerID: Double] = [:]
        for (id, c) in snapshot.controllers { out[c, default: 0] += areas[id] ?? 0 }
        return out
    }

    /// Area in km² per country code (`IQ`, `SY`) and controller; cells never cross a border.
    public func areasByCountry(_ snapshot: ControlSnapshot) throws -> [String: [ControllerID: Double]] {
        lock.lock(); defer { lock.unlock() }
        let areas = try heldAreas(snapshot)
        var out: [String: [ControllerID: Double]] = [:]
        for (id, c) in snapshot.controllers {
            guard let area = areas[id],
                  let country = dataset.gazetteer[id]?.country ?? dataset.zone(id)?.country else { continue }
            out[country, default: [:]][c, default: 0] += area
        }
        return out
    }

    private func cellAreas(for active: Set<String>) throws -> [String: Double] {
        if cellAreaCache.key != active {
            cellAreaCache = (active, try cells(for: active).mapValues { $0.area / 1e6 })
        }
        return cellAreaCache.areas
    }

    /// Cell areas with the snapshot's pocket outlines applied.
    private func heldAreas(_ snapshot: ControlSnapshot) throws -> [String: Double] {
        let active = Set(snapshot.controllers.keys)
        var areas = try cellAreas(for: active)
        guard outlineMembers.keys.contains(where: { snapshot.controllers[$0] != nil }) else { return areas }
        for (id, cell) in try outlinedCells(snapshot, active: active, base: cells(for: active)) {
            areas[id] = (cell?.area ?? 0) / 1e6
        }
        return areas
    }

    /// The cells that pocket outlines change on `snapshot`: a place held by an outline's side and
    /// lying inside it keeps only the part of its cell inside the outline (nil: nothing is left).
    /// `base` is `cells(for: active)`.
    private func outlinedCells(_ snapshot: ControlSnapshot, active: Set<String>,
                               base: [String: Geometry]) throws -> [String: Geometry?] {
        var out: [String: Geometry?] = [:]
        if outlineCache.active != active { outlineCache = (active, [:]) }
        for (zone, inside) in outlineMembers {
            guard let c = snapshot.controllers[zone], let shape = zoneShapes[zone] else { continue }
            for id in inside where snapshot.controllers[id] == c {
                guard let cell = base[id] else { continue }
                let key = id + "|" + zone
                if let known = outlineCache.cells[key] { out[id] = known; continue }
                let clipped = try cell.intersection(shape)
                let kept: Geometry? = clipped.isEmpty ? nil : try clipped.snapped(toGrid: 1)
                outlineCache.cells[key] = kept
                out[id] = kept
            }
        }
        return out
    }

    private var outlineCache: (active: Set<String>, cells: [String: Geometry?]) = ([], [:])
    private var cellAreaCache: (key: Set<String>, areas: [String: Double]) = ([], [:])
    /// Dissolved territory per side, keyed by the side and the cells it holds.
    private var partCache: (active: Set<String>, parts: [String: TerritoryPart]) = ([], [:])

    /// Voronoi cells for the given set of active places, clipped to their countries (and to their
    /// bank of a barrier river), then overridden by active area zones (outlines apply per snapshot,
    /// in `build` and the area functions).
    public func cells(for active: Set<String>) throws -> [String: Geometry] {
        lock.lock(); defer { lock.unlock() }
        if let cached = cellCache[active] { return cached }
        var out: [String: Geometry] = [:]
        for (code, parts) in domains {
            for (d, shape) in parts.enumerated() {
                var seen: [XY: String] = [:]
                var ids: [String] = []
                for id in cellOrder where active.contains(id) && dataset.gazetteer[id]?.country == code
                    && (domainOf[id] ?? 0) == d {
                    guard let p = positions[id], seen[p] == nil else { continue }
                    seen[p] = id
                    ids.append(id)
                }
                try voronoiCells(of: ids, in: shape, into: &out)
            }
        }
        // Zones override the cells of places: a desert pocket is cut out of whatever the towns
        // around it would otherwise claim.
        for z in dataset.zones where z.kind == .area && active.contains(z.id) {
            guard let zone = zoneShapes[z.id] else { continue }
            let prepared = zone.prepared()
            for (id, cell) in out where prepared.intersects(cell) {
                let rest = try cell.difference(zone)
                out[id] = rest.isEmpty ? nil : try rest.snapped(toGrid: 1)
            }
            out[z.id] = zone
        }
        cellCache[active] = out
        return out
    }

    /// The Voronoi cells of `ids` within `shape` (a country, or one bank of a barrier river),
    /// each limited to its place's reach.
    private func voronoiCells(of ids: [String], in shape: Geometry, into out: inout [String: Geometry]) throws {
        if ids.isEmpty { return }
        if ids.count == 1 {
            out[ids[0]] = try limitingDesert(shape, around: try context.point(positions[ids[0]]!)).snapped(toGrid: 1)
            return
        }
        let points = try context.multiPoint(ids.map { positions[$0]! })
        let frame = try shape.envelope().buffer(200_000, quadrantSegments: 1)
        let diagram = try points.voronoiCells(envelope: frame)
        let seeds = try ids.map { try context.point(positions[$0]!) }
        let prepared = shape.prepared()
        for cell in diagram.parts {
            let pc = cell.prepared()
            guard let i = seeds.firstIndex(where: { pc.contains($0) }) else { continue }
            var clipped = prepared.contains(cell) ? cell : try cell.intersection(shape)
            // Snapping every cell to one 1 m grid makes neighbours share exact vertices,
            // so their union leaves no micro-gaps.
            clipped = try limitingDesert(clipped, around: seeds[i]).snapped(toGrid: 1)
            if !clipped.isEmpty { out[ids[i]] = clipped }
        }
    }

    /// Removes from a cell the sparsely populated land beyond its place's reach.
    func limitingDesert(_ cell: Geometry, around seed: Geometry) throws -> Geometry {
        var cell = cell
        if let reachKm = dataset.info.reachKm {
            let reach = try seed.buffer(reachKm * 1000, quadrantSegments: 8)
            if !reach.prepared().contains(cell) { cell = try cell.intersection(reach) }
        }
        guard let sparse = sparseShape, let reachKm = dataset.info.desertReachKm else { return cell }
        guard sparsePrepared?.intersects(cell) ?? true else { return cell }
        // Clip the desert to a box around the cell rather than to the cell itself: cutting a
        // shape by pieces of its own outline leaves hair-thin slivers along shared edges.
        let local = try sparse.intersection(try cell.envelope().buffer(5000, quadrantSegments: 1))
        let unreached = try local.difference(try seed.buffer(reachKm * 1000, quadrantSegments: 8))
        return unreached.isEmpty ? cell : try cell.difference(unreached)
    }

    /// Zones whose drawn shape (clipped to their country) is far from the area their sources give.
    public func zoneProblems(file: String) -> [DataProblem] {
        dataset.zones.compactMap { z in
            let drawn = (zoneShapes[z.id]?.area ?? 0) / 1e6
            guard abs(drawn / z.areaKm2 - 1) > 0.2 else { return nil }
            return DataProblem(file: file, "zone '\(z.id)' is drawn with \(Int(drawn)) km² but its sources give \(Int(z.areaKm2)) km²",
                               severity: .warning)
        }
    }

    /// The projected geometry of a territory part, for further GEOS work (comparison, tests).
    public func geometry(of part: TerritoryPart) throws -> Geometry {
        lock.lock(); defer { lock.unlock() }
        return try context.multiPolygon(part.polygons, repair: false)
    }

    /// Area in km² of a polygon given in WGS 84, measured on the equal-area projection.
    public func areaKm2(of rings: [Ring]) throws -> Double {
        lock.lock(); defer { lock.unlock() }
        return try context.polygon(projection.forward(polygon: rings)).area / 1e6
    }

    /// Polygons back in longitude/latitude, for GeoJSON export.
    public func unproject(_ polygons: [PolygonXY]) -> [[Ring]] {
        lock.lock(); defer { lock.unlock() }
        return polygons.map { rings in rings.map { projection.inverse($0) } }
    }
}
