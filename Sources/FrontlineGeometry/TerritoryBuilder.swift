import Foundation
import FrontlineData

/// The land one controller holds on a day, in two tiers.
public struct TerritoryPart: Sendable {
    public let controller: ControllerID
    /// Held land, in projected metres (regional equal-area projection): around the side's
    /// places and along the links between neighbouring ones. The tier compared with the
    /// published estimates (IHS, the coalition).
    public let polygons: [PolygonXY]
    public let areaKm2: Double
    /// Hinterland: sparsely populated land beyond the held tier that is nearer to this side's
    /// places than to any other's, short of the no-man's-land along fronts with hostile sides.
    public let hinterland: [PolygonXY]
    public let hinterlandKm2: Double
    /// People in the side's held land and hinterland, from every GeoNames settlement of the
    /// basemap (or, without that layer, the populations of the places it holds).
    public let population: Int
    /// Of `population`, the people living in the hinterland.
    public let hinterlandPopulation: Int
    public let places: Int

    public init(controller: ControllerID, polygons: [PolygonXY], areaKm2: Double, hinterland: [PolygonXY] = [],
                hinterlandKm2: Double = 0, population: Int, hinterlandPopulation: Int = 0, places: Int) {
        self.controller = controller; self.polygons = polygons; self.areaKm2 = areaKm2
        self.hinterland = hinterland; self.hinterlandKm2 = hinterlandKm2
        self.population = population; self.hinterlandPopulation = hinterlandPopulation; self.places = places
    }

    /// Held land and hinterland together: what the widely used control maps paint in one colour.
    public var totalKm2: Double { areaKm2 + hinterlandKm2 }
}

/// Who holds which land on one day, derived from a `ControlSnapshot`.
public struct Territory: Sendable {
    public let day: Day
    /// In faction order, `contested` last.
    public let parts: [TerritoryPart]

    public subscript(controller: ControllerID) -> TerritoryPart? { parts.first { $0.controller == controller } }
    public var totalAreaKm2: Double { parts.reduce(0) { $0 + $1.areaKm2 } }
    public var totalHinterlandKm2: Double { parts.reduce(0) { $0 + $1.hinterlandKm2 } }
}

/// Turns snapshots into territory, in two tiers.
///
/// **Cells.** Every place with a controller gets its Voronoi cell, computed per country (and per
/// bank of a barrier river) from that country's places only and clipped to its border, so a town
/// never claims land across the Iraq–Syria border.
///
/// **Held land** is the part of a cell around its place: within `reach_km` of it, and in sparsely
/// populated land (the basemap's `sparse` layer) within `desert_reach_km`; plus, along each *link*
/// to a neighbouring place of the same side (Gabriel neighbours no farther than `link_max_km`
/// apart: no other place lies in the circle on their distance), a strip `link_half_width_km` to
/// each side of the straight line between them — the road or the valley between two towns.
/// Neighbouring places of one side thus form one area, while a hostile place between two towns
/// breaks their link.
///
/// **Hinterland** is the rest of a cell: land nearer to the place than to any other, beyond its
/// held land, drawn in a lighter tint of its side's colour. Where a neighbouring cell belongs to a
/// hostile side (or is contested), the hinterland stops `front_gap_km` short of the line halfway
/// between the two places, and it keeps `front_gap_km` from hostile desert pockets: a no-man's
/// land twice that wide stays unassigned along every front. Contested places and places inside a
/// pocket outline have no hinterland.
///
/// Cells are dissolved per side and tier and measured on a Lambert azimuthal equal-area
/// projection, so square metres are true. People are counted from every GeoNames settlement of
/// the basemap, for the side and tier whose land it lies in.
///
/// Cells depend only on which places are active, not on who holds them, so they are computed once
/// per set of active places and reused for every snapshot; the held and hinterland pieces of a
/// place are cached by the controllers of its neighbours.
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
    /// GEOS contexts are not thread-safe; the lock makes a builder shared by mistake between
    /// threads slow rather than corrupt. Give each thread its own builder for speed.
    let lock = NSRecursiveLock()
    private let cellOrder: [String]
    /// Country code → the pieces its barrier rivers cut it into (the whole country if none).
    /// Neighbouring pieces share the river line exactly, so land on both banks dissolves into one.
    private let domains: [String: [Geometry]]
    /// zone id → its projected shape (disc or corridor), clipped to its country.
    public let zoneShapes: [String: Geometry]
    /// Outline zone id → the places that lie inside the outline.
    private let outlineMembers: [String: [String]]
    /// place id → index of its piece in `domains`, for countries cut by a barrier river.
    private let domainOf: [String: Int]
    /// Pieces smaller than this (km² × 10⁶) are meander loops, not banks.
    static let minimumDomainArea = 500e6

    public static let countries = ["IQ", "SY"]

    /// Where computed cells and territory are kept between runs; nil computes everything afresh.
    public var cache: TerritoryCache?

    public init(dataset: Dataset, projection: Projection? = nil, cache: TerritoryCache? = nil) throws {
        self.dataset = dataset
        self.cache = cache
        let proj = try projection ?? Projection.regionalEqualArea()
        self.projection = proj
        let context = GEOSContext()
        self.context = context
        var shapes: [String: Geometry] = [:]
        for code in TerritoryBuilder.countries {
            guard let iso3 = Atlas.iso3(forISO2: code), let f = dataset.atlas.country(iso3) else { continue }
            let polys = f.geometry.polygons.map { proj.forward(polygon: $0) }
            shapes[code] = try context.multiPolygon(polys).snapped(toGrid: 1)
        }
        countryShapes = shapes
        // Barrier rivers split a country into domains (banks); cells are computed per domain.
        var domains: [String: [Geometry]] = [:]
        for (code, shape) in shapes {
            let names = Set(dataset.info.barriers[code] ?? [])
            let lines = dataset.atlas.rivers.filter { names.contains($0["name"] ?? "") }
                .flatMap { $0.geometry.lines }.map { proj.forward($0) }
            guard !lines.isEmpty else { domains[code] = [shape]; continue }
            // The faces the country's border and the river enclose: banks that share the river line.
            let river = try context.multiLineString(lines).intersection(shape)
            let linework = try context.collection(of: [try shape.boundary(), river])
            let prepared = shape.prepared()
            let faces = try context.polygonize(linework).filter { face in
                face.area > 1 && (try? face.pointOnSurface()).map { prepared.contains($0) } == true
            }.map { try $0.snapped(toGrid: 1) }.sorted { $0.area > $1.area }
            // Pieces cut off by the river's bends join the nearest large piece (a bank).
            let large = faces.filter { $0.area >= TerritoryBuilder.minimumDomainArea }
            let covered = faces.reduce(0) { $0 + $1.area }
            guard large.count > 1, abs(covered / shape.area - 1) < 0.001 else { domains[code] = [shape]; continue }
            var groups = large.map { [$0] }
            for small in faces where small.area < TerritoryBuilder.minimumDomainArea {
                let i = large.indices.min { large[$0].distance(to: small) < large[$1].distance(to: small) }!
                groups[i].append(small)
            }
            domains[code] = try groups.map { try $0.count == 1 ? $0[0] : context.union($0).snapped(toGrid: 1) }
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
    /// nearest one when the point lies on the river.
    private static func bank(of point: Geometry, among banks: [Geometry]) -> Int {
        banks.indices.first { banks[$0].contains(point) }
            ?? banks.indices.min { banks[$0].distance(to: point) < banks[$1].distance(to: point) }!
    }

    // MARK: cells (per set of active places)

    /// Everything about the cells of one set of active places that does not depend on who holds them.
    final class CellSet {
        /// place id → its Voronoi cell in its domain, area zones cut out.
        var full: [String: Geometry] = [:]
        /// place id → the part of its cell within its reach (no links), area zones cut out;
        /// area zone id → the zone's shape.
        var held: [String: Geometry] = [:]
        /// place id → the places whose cells border its own (Delaunay neighbours in its domain).
        var neighbours: [String: [String]] = [:]
        /// place id → the places it can be linked to (Gabriel neighbours within `link_max_km`).
        var links: [String: [String]] = [:]
        /// Pieces per place, keyed by the place and what shapes them (see `pieces`).
        var heldPieces: [String: Geometry?] = [:]
        var hinterlandPieces: [String: Geometry?] = [:]
        /// settlement index → the place (or area zone) whose cell holds it; nil outside every cell.
        var settlementOwner: [String?]? = nil
        /// settlement index → in the owner's held piece / hinterland piece, keyed by piece key.
        var settlementTier: [String: [Int: UInt8]] = [:]
    }

    private var cellSets: [Set<String>: CellSet] = [:]

    private func cellSet(for active: Set<String>) throws -> CellSet {
        if let set = cellSets[active] { return set }
        // The cells of the places are shared by every day with the same places, whatever zones
        // are on; zones are cut out of a copy.
        let places = Set(active.filter { dataset.gazetteer[$0] != nil })
        let base = try placeCells(places)
        let zones = dataset.zones.filter { $0.kind == .area && active.contains($0.id) && zoneShapes[$0.id] != nil }
        let set = zones.isEmpty ? base : try cutting(zones, from: base)
        remember(set, for: active)
        return set
    }

    /// The cells of a set of places: from memory, else from the disk cache, else computed.
    private func placeCells(_ places: Set<String>) throws -> CellSet {
        if let set = cellSets[places] { return set }
        let key = cache?.key("cells", places.sorted())
        if let cache, let key, let payload = cache.read(key), let set = try? decodeCells(payload) {
            remember(set, for: places)
            return set
        }
        let set = try computeCells(for: places)
        if let cache, let key { cache.write(key, try encode(set)) }
        remember(set, for: places)
        return set
    }

    private func remember(_ set: CellSet, for active: Set<String>) {
        if cellSets.count >= 8 { cellSets.removeAll() }
        cellSets[active] = set
    }

    private func computeCells(for places: Set<String>) throws -> CellSet {
        let set = CellSet()
        for (code, parts) in domains {
            for (d, shape) in parts.enumerated() {
                var seen: [XY: String] = [:]
                var ids: [String] = []
                for id in cellOrder where places.contains(id) && dataset.gazetteer[id]?.country == code
                    && (domainOf[id] ?? 0) == d {
                    guard let p = positions[id], seen[p] == nil else { continue }
                    seen[p] = id
                    ids.append(id)
                }
                try voronoiCells(of: ids, in: shape, into: set)
            }
        }
        return set
    }

    /// A copy of `base` with the area zones cut out of the cells of places: a desert pocket
    /// overrides whatever the towns around it would otherwise claim.
    private func cutting(_ zones: [Zone], from base: CellSet) throws -> CellSet {
        let set = CellSet()
        set.full = base.full; set.held = base.held; set.neighbours = base.neighbours; set.links = base.links
        for z in zones {
            guard let zone = zoneShapes[z.id] else { continue }
            let prepared = zone.prepared()
            for (id, cell) in set.full where prepared.intersects(cell) {
                let rest = try cell.difference(zone)
                set.full[id] = rest.isEmpty ? nil : try rest.snapped(toGrid: 1)
                if let h = set.held[id], prepared.intersects(h) {
                    let r = try h.difference(zone)
                    set.held[id] = r.isEmpty ? nil : try r.snapped(toGrid: 1)
                }
            }
            set.held[z.id] = zone
        }
        return set
    }

    private func encode(_ set: CellSet) throws -> [UInt8] {
        var w = ByteWriter()
        for map in [set.full, set.held] {
            w.u32(UInt32(map.count))
            for id in map.keys.sorted() { w.string(id); w.blob(try map[id]!.wkb()) }
        }
        for map in [set.neighbours, set.links] {
            w.u32(UInt32(map.count))
            for id in map.keys.sorted() { w.string(id); w.strings(map[id]!) }
        }
        return w.bytes
    }

    private func decodeCells(_ payload: [UInt8]) throws -> CellSet {
        var r = ByteReader(payload)
        let set = CellSet()
        var maps: [[String: Geometry]] = []
        for _ in 0..<2 {
            var m: [String: Geometry] = [:]
            for _ in 0..<(try r.count(each: 8)) { let id = try r.string(); m[id] = try context.geometry(wkb: try r.blob()) }
            maps.append(m)
        }
        set.full = maps[0]; set.held = maps[1]
        for k in 0..<2 {
            var m: [String: [String]] = [:]
            for _ in 0..<(try r.count(each: 8)) { let id = try r.string(); m[id] = try r.strings() }
            if k == 0 { set.neighbours = m } else { set.links = m }
        }
        guard r.atEnd else { throw ByteReader.Truncated() }
        return set
    }

    /// Held cells (reach only, no links) for the given set of active places, clipped to their
    /// countries (and to their bank of a barrier river), then overridden by active area zones.
    public func cells(for active: Set<String>) throws -> [String: Geometry] {
        lock.lock(); defer { lock.unlock() }
        return try cellSet(for: active).held
    }

    /// The Voronoi cells of `ids` within `shape` (a country, or one bank of a barrier river), each
    /// also limited to its place's reach; and who neighbours and can be linked to whom.
    private func voronoiCells(of ids: [String], in shape: Geometry, into set: CellSet) throws {
        if ids.isEmpty { return }
        if ids.count == 1 {
            let cell = shape
            set.full[ids[0]] = cell
            set.held[ids[0]] = try limitingReach(cell, around: try context.point(positions[ids[0]]!)).snapped(toGrid: 1)
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
            // Snapping every cell to one 1 m grid makes neighbours share exact vertices,
            // so their union leaves no micro-gaps.
            let clipped = try (prepared.contains(cell) ? cell : try cell.intersection(shape)).snapped(toGrid: 1)
            if clipped.isEmpty { continue }
            set.full[ids[i]] = clipped
            let held = try limitingReach(clipped, around: seeds[i]).snapped(toGrid: 1)
            if !held.isEmpty { set.held[ids[i]] = held }
        }
        // Neighbours: the Delaunay edges. Links: the Gabriel edges among them that are short enough.
        var index: [XY: String] = [:]
        for id in ids { index[positions[id]!] = id }
        let xs = ids.map { positions[$0]! }
        let maxLink = (dataset.info.linkMaxKm ?? 0) * 1000
        for (a, b) in try points.delaunayEdges().lineEndpoints {
            guard let ia = index[a], let ib = index[b] else { continue }
            set.neighbours[ia, default: []].append(ib)
            set.neighbours[ib, default: []].append(ia)
            let length = hypot(b.x - a.x, b.y - a.y)
            guard length <= maxLink else { continue }
            let m = XY((a.x + b.x) / 2, (a.y + b.y) / 2), r2 = length * length / 4 - 1
            let gabriel = !xs.contains { p in
                p != a && p != b && (p.x - m.x) * (p.x - m.x) + (p.y - m.y) * (p.y - m.y) < r2
            }
            if gabriel {
                set.links[ia, default: []].append(ib)
                set.links[ib, default: []].append(ia)
            }
        }
    }

    /// Removes from a cell what lies beyond its place's reach: farther than `reach_km`, or in
    /// sparsely populated land farther than `desert_reach_km`.
    func limitingReach(_ cell: Geometry, around seed: Geometry) throws -> Geometry {
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

    // MARK: pieces (per snapshot)

    /// The held and hinterland land of one place or zone on one snapshot.
    struct Piece {
        var held: Geometry?
        var hinterland: Geometry?
        var heldKey: String
        var hinterlandKey: String
    }

    /// The held and hinterland pieces of every place and zone with a controller on `snapshot`.
    private func pieces(_ snapshot: ControlSnapshot) throws -> (set: CellSet, pieces: [String: Piece]) {
        let active = Set(snapshot.controllers.keys)
        let set = try cellSet(for: active)
        let info = dataset.info
        // Outlines active today: place id → the outline that limits it.
        var outlined: [String: String] = [:]
        for (zone, inside) in outlineMembers {
            guard let c = snapshot.controllers[zone], zoneShapes[zone] != nil else { continue }
            for id in inside where snapshot.controllers[id] == c { outlined[id] = zone }
        }
        // Hostile area zones today, with the no-man's land around them.
        let hostileZones: [(id: String, controller: ControllerID)] = dataset.zones.compactMap { z in
            guard z.kind == .area, let c = snapshot.controllers[z.id], set.held[z.id] != nil else { return nil }
            return (z.id, c)
        }
        var out: [String: Piece] = [:]
        for id in cellOrder {
            guard let c = snapshot.controllers[id] else { continue }
            let contested = c == Controllers.contested
            let links = contested ? [] : (set.links[id] ?? []).filter { snapshot.controllers[$0] == c }.sorted()
            var heldKey = id + "|" + links.joined(separator: ",")
            if let zone = outlined[id] { heldKey += "|" + zone }
            let held: Geometry?
            if let known = set.heldPieces[heldKey] { held = known } else {
                held = try heldPiece(id, links: links, outline: outlined[id], set: set)
                set.heldPieces[heldKey] = held
            }
            var hinterland: Geometry? = nil
            var hinKey = ""
            if !contested && outlined[id] == nil, let full = set.full[id] {
                let hostile = (set.neighbours[id] ?? []).filter { n in
                    guard let nc = snapshot.controllers[n] else { return false }
                    return nc == Controllers.contested || info.hostile(c, nc)
                }.sorted()
                let zones = hostileZones.filter { info.hostile(c, $0.controller) }.map(\.id)
                hinKey = heldKey + "|" + hostile.joined(separator: ",") + "|" + zones.joined(separator: ",")
                if let known = set.hinterlandPieces[hinKey] { hinterland = known } else {
                    hinterland = try hinterlandPiece(id, full: full, held: held, hostile: hostile, zones: zones, set: set)
                    set.hinterlandPieces[hinKey] = hinterland
                }
            }
            out[id] = Piece(held: held, hinterland: hinterland, heldKey: heldKey, hinterlandKey: hinKey)
        }
        for z in dataset.zones where z.kind == .area {
            guard snapshot.controllers[z.id] != nil, let shape = set.held[z.id] else { continue }
            out[z.id] = Piece(held: shape, hinterland: nil, heldKey: z.id, hinterlandKey: "")
        }
        if set.heldPieces.count > 20_000 { set.heldPieces.removeAll() }
        if set.hinterlandPieces.count > 20_000 { set.hinterlandPieces.removeAll() }
        return (set, out)
    }

    /// A place's held land: its reach, plus the strips along its links, within its cell; inside an
    /// active outline of its side, only what lies inside the outline.
    private func heldPiece(_ id: String, links: [String], outline: String?, set: CellSet) throws -> Geometry? {
        var held = set.held[id]
        if !links.isEmpty, let full = set.full[id], let a = positions[id] {
            // A strip adds land only where it runs beyond the base reach: farther than `reach_km`
            // from the place, or through sparsely populated land.
            let w = dataset.info.linkHalfWidthKm * 1000, reach = (dataset.info.reachKm ?? .infinity) * 1000
            let segments = try links.compactMap { positions[$0] }.filter { b in
                if hypot(b.x - a.x, b.y - a.y) / 2 + w > reach { return true }
                guard let sparse = sparsePrepared else { return false }
                let mid = XY((a.x + b.x) / 2, (a.y + b.y) / 2)
                return sparse.intersects(try context.multiLineString([[a, mid]]).buffer(w, quadrantSegments: 1))
            }.map { [a, $0] }
            if !segments.isEmpty {
                let strips = try context.multiLineString(segments).buffer(w, quadrantSegments: 4).intersection(full)
                if !strips.isEmpty {
                    held = try (held.map { try context.union([$0, strips]) } ?? strips).snapped(toGrid: 1)
                }
            }
        }
        if let outline, let shape = zoneShapes[outline], let h = held {
            let clipped = try h.intersection(shape)
            held = clipped.isEmpty ? nil : try clipped.snapped(toGrid: 1)
        }
        if let h = held, h.isEmpty { return nil }
        return held
    }

    /// A place's hinterland: the rest of its cell, short of the no-man's land towards hostile
    /// neighbours and hostile pockets.
    private func hinterlandPiece(_ id: String, full: Geometry, held: Geometry?, hostile: [String],
                                 zones: [String], set: CellSet) throws -> Geometry? {
        if let held, full.area - held.area < 1e6 { return nil }
        var rest = try held.map { try full.difference($0) } ?? full
        if rest.isEmpty || rest.area < 1e6 { return nil }
        let gap = dataset.info.frontGapKm * 1000
        var cuts: [Geometry] = []
        if let a = positions[id] {
            for n in hostile {
                guard let b = positions[n] else { continue }
                // A band along the line halfway between the two places (their cells' shared edge).
                let m = XY((a.x + b.x) / 2, (a.y + b.y) / 2)
                let len = hypot(b.x - a.x, b.y - a.y)
                guard len > 0 else { continue }
                let d = XY(-(b.y - a.y) / len, (b.x - a.x) / len)
                let far = 2_000_000.0
                let line = try context.multiLineString([[XY(m.x - d.x * far, m.y - d.y * far), XY(m.x + d.x * far, m.y + d.y * far)]])
                cuts.append(try line.bufferFlatEnds(gap, quadrantSegments: 1))
            }
        }
        for z in zones {
            guard let shape = set.held[z] else { continue }
            if let b = try? shape.envelope(), rest.intersects(try b.buffer(gap, quadrantSegments: 1)) {
                cuts.append(try shape.buffer(gap, quadrantSegments: 4))
            }
        }
        if !cuts.isEmpty {
            let cut = try context.union(cuts)
            if cut.intersects(rest) { rest = try rest.difference(cut) }
        }
        rest = try rest.snapped(toGrid: 1)
        return rest.isEmpty || rest.area < 1e6 ? nil : rest
    }

    // MARK: territory

    /// Territory for `snapshot`. Places with no controller yet take no part. `people: false` skips
    /// counting people (maps do not show them), leaving each part's population 0.
    public func build(_ snapshot: ControlSnapshot, people: Bool = true, merged: Bool = true) throws -> Territory {
        lock.lock(); defer { lock.unlock() }
        if let cache, let known = TerritoryBuilder.cached(snapshot, people: people, merged: merged, in: cache) {
            return known
        }
        let territory = try compute(snapshot, people: people, merged: merged)
        if let cache { cache.write(TerritoryBuilder.territoryKey(snapshot, people: people, merged: merged, in: cache),
                                   TerritoryBuilder.encode(territory.parts)) }
        return territory
    }

    /// The territory of `snapshot` if `cache` holds it, without building anything: a map of a
    /// day drawn before needs no builder at all.
    public static func cached(_ snapshot: ControlSnapshot, people: Bool = true, merged: Bool = true,
                              in cache: TerritoryCache) -> Territory? {
        guard let payload = cache.read(territoryKey(snapshot, people: people, merged: merged, in: cache)),
              let parts = try? decodeParts(payload) else { return nil }
        return Territory(day: snapshot.day, parts: parts)
    }

    static func territoryKey(_ snapshot: ControlSnapshot, people: Bool, merged: Bool, in cache: TerritoryCache) -> String {
        cache.key("territory", ["people=\(people)", "merged=\(merged)"] + snapshotKey(snapshot))
    }

    static func encode(_ parts: [TerritoryPart]) -> [UInt8] {
        var w = ByteWriter()
        w.u32(UInt32(parts.count))
        for p in parts {
            w.string(p.controller)
            w.polygons(p.polygons); w.f64(p.areaKm2)
            w.polygons(p.hinterland); w.f64(p.hinterlandKm2)
            w.u64(UInt64(p.population)); w.u64(UInt64(p.hinterlandPopulation)); w.u32(UInt32(p.places))
        }
        return w.bytes
    }

    static func decodeParts(_ payload: [UInt8]) throws -> [TerritoryPart] {
        var r = ByteReader(payload)
        let parts = try (0..<r.count(each: 40)).map { _ in
            TerritoryPart(controller: try r.string(), polygons: try r.polygons(), areaKm2: try r.f64(),
                          hinterland: try r.polygons(), hinterlandKm2: try r.f64(),
                          population: Int(try r.u64()), hinterlandPopulation: Int(try r.u64()),
                          places: Int(try r.u32()))
        }
        guard r.atEnd else { throw ByteReader.Truncated() }
        return parts
    }

    private func compute(_ snapshot: ControlSnapshot, people: Bool, merged: Bool) throws -> Territory {
        let (set, pieces) = try pieces(snapshot)
        // Pieces per side, tier and domain (country and bank): within a domain they tile exactly.
        var held: [ControllerID: [String: [Geometry]]] = [:], hin: [ControllerID: [String: [Geometry]]] = [:]
        var heldKeys: [ControllerID: [String]] = [:], hinKeys: [ControllerID: [String]] = [:]
        var count: [ControllerID: Int] = [:]
        var ids = cellOrder.filter { snapshot.controllers[$0] != nil }
        ids += dataset.zones.map(\.id).filter { pieces[$0] != nil }
        for id in ids {
            guard let c = snapshot.controllers[id] else { continue }
            let domain: String
            if let p = dataset.gazetteer[id] {
                count[c, default: 0] += 1
                domain = "\(p.country)|\(domainOf[id] ?? 0)"
            } else {
                domain = "zone"
            }
            guard let p = pieces[id] else { continue }
            if let h = p.held { held[c, default: [:]][domain, default: []].append(h); heldKeys[c, default: []].append(p.heldKey) }
            if let h = p.hinterland { hin[c, default: [:]][domain, default: []].append(h); hinKeys[c, default: []].append(p.hinterlandKey) }
        }
        let people = people ? try population(snapshot, set: set, pieces: pieces) : [:]
        if partCache.active != Set(snapshot.controllers.keys) { partCache = (Set(snapshot.controllers.keys), [:]) }
        let factions = dataset.factions
        let sides = Set(held.keys).union(hin.keys).union(count.keys)
        let order = sides.sorted { factions.order(of: $0) < factions.order(of: $1) }
        var parts: [TerritoryPart] = []
        for c in order {
            // Between consecutive days usually one or two sides change; the others reuse their
            // dissolved territory.
            let key = "\(c)|\(merged)|" + (heldKeys[c] ?? []).joined(separator: ";") + "#" + (hinKeys[c] ?? []).joined(separator: ";")
            let geometry: (held: Geometry?, hinterland: Geometry?)
            if let cached = partCache.parts[key] { geometry = cached } else {
                geometry = (try dissolve(held[c] ?? [:], merged: merged), try dissolve(hin[c] ?? [:], merged: merged))
                if partCache.parts.count > 256 { partCache.parts.removeAll() }
                partCache.parts[key] = geometry
            }
            let pop = people[c] ?? (0, 0)
            parts.append(TerritoryPart(controller: c, polygons: geometry.held?.polygons ?? [],
                                       areaKm2: (geometry.held?.area ?? 0) / 1e6,
                                       hinterland: geometry.hinterland?.polygons ?? [],
                                       hinterlandKm2: (geometry.hinterland?.area ?? 0) / 1e6,
                                       population: people.isEmpty ? 0 : pop.held + pop.hinterland,
                                       hinterlandPopulation: pop.hinterland, places: count[c] ?? 0))
        }
        return Territory(day: snapshot.day, parts: parts)
    }

    /// Dissolved territory per side, keyed by the side and the pieces it holds.
    private var partCache: (active: Set<String>, parts: [String: (held: Geometry?, hinterland: Geometry?)]) = ([], [:])

    /// Dissolves the pieces of one side and tier. Within a domain (a country, or one bank of its
    /// barrier river) pieces tile on one grid, and the fast coverage union joins them; domains
    /// (whose shared river and border edges have vertices of their own) are then joined by the
    /// general union, unless `merged` is false (drawing, where it makes no visible difference).
    private func dissolve(_ groups: [String: [Geometry]], merged: Bool) throws -> Geometry? {
        var results: [Geometry] = []
        for key in groups.keys.sorted() {
            let pieces = groups[key]!
            if pieces.isEmpty { continue }
            // coverageUnion falls back to the general union when the pieces do not tile.
            let g = try context.coverageUnion(pieces)
            if !g.isEmpty { results.append(g) }
        }
        if results.isEmpty { return nil }
        var out = results.count == 1 ? results[0] : try (merged ? context.union(results) : context.collection(of: results))
        if merged && !out.isValid { out = try out.makeValid() }
        return out.isEmpty ? nil : out
    }

    // MARK: areas

    /// Held area in km² per controller, from piece areas alone (pieces never overlap, so this
    /// equals the area of the dissolved territory): cheap enough for every day of a long animation.
    public func areas(_ snapshot: ControlSnapshot) throws -> [ControllerID: Double] {
        try tierAreas(snapshot).held
    }

    /// Held and hinterland area in km² per controller: the per-country figures summed.
    public func tierAreas(_ snapshot: ControlSnapshot) throws -> (held: [ControllerID: Double], hinterland: [ControllerID: Double]) {
        let byCountry = try tierAreasByCountry(snapshot)
        func total(_ m: [String: [ControllerID: Double]]) -> [ControllerID: Double] {
            m.values.reduce(into: [:]) { out, areas in for (c, a) in areas { out[c, default: 0] += a } }
        }
        return (total(byCountry.held), total(byCountry.hinterland))
    }

    /// Held area in km² per country code (`IQ`, `SY`) and controller; cells never cross a border.
    public func areasByCountry(_ snapshot: ControlSnapshot) throws -> [String: [ControllerID: Double]] {
        try tierAreasByCountry(snapshot).held
    }

    /// Held and hinterland area in km² per country code and controller.
    public func tierAreasByCountry(_ snapshot: ControlSnapshot) throws
        -> (held: [String: [ControllerID: Double]], hinterland: [String: [ControllerID: Double]]) {
        lock.lock(); defer { lock.unlock() }
        let key = cache?.key("areas", TerritoryBuilder.snapshotKey(snapshot))
        if let cache, let key, let payload = cache.read(key), let areas = try? TerritoryBuilder.decodeAreas(payload) {
            return areas
        }
        let (_, pieces) = try pieces(snapshot)
        var held: [String: [ControllerID: Double]] = [:], hin: [String: [ControllerID: Double]] = [:]
        for (id, p) in pieces {
            guard let c = snapshot.controllers[id],
                  let country = dataset.gazetteer[id]?.country ?? dataset.zone(id)?.country else { continue }
            held[country, default: [:]][c, default: 0] += (p.held?.area ?? 0) / 1e6
            if let h = p.hinterland { hin[country, default: [:]][c, default: 0] += h.area / 1e6 }
        }
        if let cache, let key { cache.write(key, TerritoryBuilder.encode(areas: (held, hin))) }
        return (held, hin)
    }

    /// A snapshot as key parts: every place and zone with its controller, sorted.
    static func snapshotKey(_ snapshot: ControlSnapshot) -> [String] {
        snapshot.controllers.keys.sorted().map { $0 + "=" + snapshot.controllers[$0]! }
    }

    static func encode(areas: (held: [String: [ControllerID: Double]], hinterland: [String: [ControllerID: Double]])) -> [UInt8] {
        var w = ByteWriter()
        for m in [areas.held, areas.hinterland] {
            w.u32(UInt32(m.count))
            for country in m.keys.sorted() {
                w.string(country)
                let byController = m[country]!
                w.u32(UInt32(byController.count))
                for c in byController.keys.sorted() { w.string(c); w.f64(byController[c]!) }
            }
        }
        return w.bytes
    }

    static func decodeAreas(_ payload: [UInt8]) throws
        -> (held: [String: [ControllerID: Double]], hinterland: [String: [ControllerID: Double]]) {
        var r = ByteReader(payload)
        var maps: [[String: [ControllerID: Double]]] = []
        for _ in 0..<2 {
            var m: [String: [ControllerID: Double]] = [:]
            for _ in 0..<(try r.count(each: 8)) {
                let country = try r.string()
                var byController: [ControllerID: Double] = [:]
                for _ in 0..<(try r.count(each: 12)) { let c = try r.string(); byController[c] = try r.f64() }
                m[country] = byController
            }
            maps.append(m)
        }
        guard r.atEnd else { throw ByteReader.Truncated() }
        return (maps[0], maps[1])
    }

    /// Country area in km², measured as the builder measures territory.
    public func countryAreaKm2(_ code: String) -> Double { (countryShapes[code]?.area ?? 0) / 1e6 }

    // MARK: people

    /// Projected settlements, once.
    lazy var settlementXY: [XY] = projection.forward(dataset.atlas.settlements.map(\.coordinate))

    /// People per side: (in held land, in hinterland). Every settlement of the basemap counts for
    /// the side whose piece holds it; without a settlement layer, the populations of the places.
    private func population(_ snapshot: ControlSnapshot, set: CellSet,
                            pieces: [String: Piece]) throws -> [ControllerID: (held: Int, hinterland: Int)] {
        var out: [ControllerID: (held: Int, hinterland: Int)] = [:]
        let settlements = dataset.atlas.settlements
        if settlements.isEmpty {
            for (id, c) in snapshot.controllers {
                out[c, default: (0, 0)].held += dataset.gazetteer[id]?.population ?? 0
            }
            return out
        }
        let owners = try settlementOwners(set, active: Set(snapshot.controllers.keys))
        for (i, owner) in owners.enumerated() {
            guard let owner, let c = snapshot.controllers[owner], let p = pieces[owner] else { continue }
            let tier = try settlementTier(i, piece: p, set: set)
            if tier == 1 { out[c, default: (0, 0)].held += settlements[i].population }
            if tier == 2 { out[c, default: (0, 0)].hinterland += settlements[i].population }
        }
        return out
    }

    /// Which place's cell (or area zone) holds each settlement.
    private func settlementOwners(_ set: CellSet, active: Set<String>) throws -> [String?] {
        if let known = set.settlementOwner { return known }
        let settlements = dataset.atlas.settlements
        let xy = settlementXY
        // Nearest active place of the same country and bank; area zones first.
        var byDomain: [String: [(String, XY)]] = [:]
        for id in cellOrder where active.contains(id) && set.full[id] != nil {
            guard let p = dataset.gazetteer[id], let q = positions[id] else { continue }
            byDomain["\(p.country)|\(domainOf[id] ?? 0)", default: []].append((id, q))
        }
        let zones = dataset.zones.filter { $0.kind == .area && active.contains($0.id) }
            .compactMap { z in set.held[z.id].map { (z.id, $0.prepared()) } }
        var owners: [String?] = []
        owners.reserveCapacity(settlements.count)
        for (s, p) in zip(settlements, xy) {
            let pt = try context.point(p)
            if let z = zones.first(where: { $0.1.contains(pt) }) { owners.append(z.0); continue }
            var domain = 0
            if let banks = domains[s.country], banks.count > 1 { domain = TerritoryBuilder.bank(of: pt, among: banks) }
            let candidates = byDomain["\(s.country)|\(domain)"] ?? []
            let nearest = candidates.min { hypot($0.1.x - p.x, $0.1.y - p.y) < hypot($1.1.x - p.x, $1.1.y - p.y) }
            owners.append(nearest?.0)
        }
        set.settlementOwner = owners
        return owners
    }

    /// 1: in the piece's held land, 2: in its hinterland, 0: neither. Cached per piece.
    private func settlementTier(_ i: Int, piece: Piece, set: CellSet) throws -> UInt8 {
        let key = piece.heldKey + "#" + piece.hinterlandKey
        if let t = set.settlementTier[key]?[i] { return t }
        let pt = try context.point(settlementXY[i])
        let t: UInt8 = piece.held?.contains(pt) == true ? 1 : (piece.hinterland?.contains(pt) == true ? 2 : 0)
        set.settlementTier[key, default: [:]][i] = t
        return t
    }

    // MARK: checks and conversions

    /// Zones whose drawn shape (clipped to their country) is far from the area their sources give.
    public func zoneProblems(file: String) -> [DataProblem] {
        dataset.zones.compactMap { z in
            let drawn = (zoneShapes[z.id]?.area ?? 0) / 1e6
            guard abs(drawn / z.areaKm2 - 1) > 0.2 else { return nil }
            return DataProblem(file: file, "zone '\(z.id)' is drawn with \(Int(drawn)) km² but its sources give \(Int(z.areaKm2)) km²",
                               severity: .warning)
        }
    }

    /// The projected geometry of a territory part's held land, for further GEOS work (comparison, tests).
    public func geometry(of part: TerritoryPart) throws -> Geometry {
        lock.lock(); defer { lock.unlock() }
        return try context.multiPolygon(part.polygons, repair: false)
    }

    /// The projected geometry of a territory part's hinterland.
    public func hinterlandGeometry(of part: TerritoryPart) throws -> Geometry {
        lock.lock(); defer { lock.unlock() }
        return try context.multiPolygon(part.hinterland, repair: false)
    }

    /// Area in km² of a polygon given in WGS 84, measured on the equal-area projection.
    public func areaKm2(of rings: [Ring]) throws -> Double {
        lock.lock(); defer { lock.unlock() }
        return try context.polygon(projection.forward(polygon: rings)).area / 1e6
    }

    /// Polygons in WGS 84 longitude/latitude that stay valid (OGC simple features, GEOS's test)
    /// once written with `decimals` decimals: the inverse projection can bend nearly collinear
    /// edges across each other, and rounding can make rings touch or cross, so the unprojected
    /// polygons are repaired and then snapped to the output grid with GEOS's precision reducer,
    /// which keeps them valid at that precision. Parts that collapse below the grid vanish.
    public func unprojectedValid(_ polygons: [PolygonXY], decimals: Int = GeoJSON.defaultDecimals) throws -> [[Ring]] {
        lock.lock(); defer { lock.unlock() }
        let lonLat: [PolygonXY] = polygons.map { rings in
            rings.map { ring in projection.inverse(ring).map { XY($0.lon, $0.lat) } }
        }
        let grid = pow(10, -Double(decimals))
        var g = try context.multiPolygon(lonLat).snapped(toGrid: grid)
        if !g.isValid { g = try g.makeValid().snapped(toGrid: grid) }
        return g.polygons.map { rings in rings.map { ring in ring.map { Coordinate(lon: $0.x, lat: $0.y) } } }
    }
}
