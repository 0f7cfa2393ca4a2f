import Foundation
import FrontlineData
import FrontlineGeometry

public struct MapOptions: Sendable {
    public var size: Size = Size(1600, 1200)
    public var region: MapRegion = .all
    public var theme: String = "wikipedia"
    public var labels: LabelLanguage = .en
    public var title: String? = nil
    /// Pixels kept free at the bottom for an animation's timeline strip.
    public var reservedBottom: Double = 0
    /// Animation frames: `draw` leaves the title panel empty (sized for the longest date) so
    /// that one drawn map serves every frame of a run; `drawTitle` fills it per frame.
    public var deferTitle: Bool = false
    /// No title or legend panel: for a page that shows both beside the map (`frontline serve`).
    public var bare: Bool = false

    public init(size: Size = Size(1600, 1200), region: MapRegion = .all, theme: String = "wikipedia",
                labels: LabelLanguage = .en, title: String? = nil, reservedBottom: Double = 0) {
        self.size = size; self.region = region; self.theme = theme; self.labels = labels
        self.title = title; self.reservedBottom = reservedBottom
    }
}

/// Draws a dated control map: basemap, territory, water, borders, towns and their labels,
/// title, legend, scale bar and attribution. Prepares everything that does not depend on
/// the date once, so that many frames can share one renderer (one per thread).
public final class MapRenderer {
    public let dataset: Dataset
    public let options: MapOptions
    public let style: MapStyle
    public let frame: MapFrame
    let projection: Projection
    let unit: Double

    // Basemap in pixels, prepared once.
    let neighbours: [[[Point]]]
    let golan: [[[Point]]]
    let focusCountries: [[[Point]]]
    let focusBorders: [[Point]]
    let neighbourBorders: [[Point]]
    let governorateLines: [[Point]]
    let lakes: [[[Point]]]
    let rivers: [(lines: [[Point]], width: Double)]
    let placePixels: [String: Point]
    /// Keep the layers that do not change with the date (sea, land and desert below the
    /// territory; water, governorate lines and borders above it) as pixels after the first
    /// map, and paint them on image canvases instead of drawing them again: for renderers that
    /// draw many maps (frames, the server). Painting the layer above is the same as drawing it
    /// directly (compositing is associative), but for 8-bit rounding at the edges of lines.
    public var cachesStaticLayers = false
    /// With `cachesStaticLayers`: a cache folder where the static layers are kept between runs,
    /// keyed by the program, the basemap and style files, the size, region and theme; a `render`
    /// then maps them from the file instead of drawing them. Nil keeps them for this renderer only.
    public var layerCache: TerritoryCache?
    private var staticLayers: (below: CairoCanvas, above: CairoCanvas)?
    /// Whether the static layers are held as pixels now (drawn, or mapped from the cache).
    var holdsStaticLayers: Bool { staticLayers != nil }
    /// Keep the town dots and labels of earlier maps as sprites (for renderers of many maps).
    public var cachesSprites = false
    private let sprites = SpriteStore()
    /// Country names whose anchors lie in their country, and the sea label, in pixels.
    let countryLabels: [(name: String, at: Point, focus: Bool)]
    let seaLabel: Point?

    /// The scale of type, lines and panels for an image size: 1 at 1600×1200.
    public static func unit(for size: Size) -> Double {
        min(3, max(0.65, (size.width * size.height / (1600 * 1200)).squareRoot()))
    }

    public init(dataset: Dataset, projection: Projection, options: MapOptions) throws {
        self.dataset = dataset
        self.options = options
        self.projection = projection
        style = try MapStyle(theme: options.theme, factions: dataset.factions)
        let frame = MapFrame(region: options.region.box,
                             size: Size(options.size.width, options.size.height - options.reservedBottom), projection: projection)
        self.frame = frame
        unit = MapRenderer.unit(for: options.size)

        func rings(_ f: GeoFeature) -> [[Point]] {
            frame.rings(f.geometry.polygons.map { projection.forward(polygon: $0) })
        }
        let focus: Set<String> = ["IRQ", "SYR"]
        var nb: [[[Point]]] = [], go: [[[Point]]] = [], fc: [[[Point]]] = []
        var nbBorders: [[Point]] = [], fcBorders: [[Point]] = []
        for c in dataset.atlas.countries {
            let r = rings(c)
            let code = c["iso_a3"] ?? ""
            if code == "GOLAN" { go.append(r) }
            else if focus.contains(code) { fc.append(r); fcBorders += r }
            else { nb.append(r); nbBorders += r }
        }
        neighbours = nb; golan = go; focusCountries = fc
        focusBorders = fcBorders; neighbourBorders = nbBorders
        governorateLines = dataset.atlas.governorates.flatMap { rings($0) }
        lakes = dataset.atlas.lakes.map { rings($0) }
        rivers = dataset.atlas.rivers.map { f in
            let rank = Double(f["scalerank"] ?? "") ?? 6
            let name = f["name"] ?? ""
            let major = name == "Euphrates" || name == "Tigris"
            let w = major ? 1.7 : (rank <= 6 ? 1.1 : 0.8)
            return (frame.lines(f.geometry.lines.map { projection.forward($0) }), w)
        }
        var pp: [String: Point] = [:]
        let places = dataset.gazetteer.places
        for (p, xy) in zip(places, projection.forward(places.map(\.coordinate))) { pp[p.id] = frame.point(xy) }
        placePixels = pp
        let atlas = dataset.atlas
        countryLabels = Self.countryNames.compactMap { code, name, lon, lat, focus in
            let anchor = Coordinate(lon: lon, lat: lat)
            guard let country = atlas.country(code),
                  country.geometry.polygons.contains(where: { ringContains($0[0], anchor) }) else { return nil }
            return (name, frame.point(projection.forward(anchor)), focus)
        }
        let seaAnchor = Coordinate(lon: 35.25, lat: 35.0)
        let seaIsOpen = !atlas.countries.isEmpty
            && !atlas.countries.contains(where: { $0.geometry.polygons.contains { ringContains($0[0], seaAnchor) } })
            && atlas.country("SYR")?.geometry.polygons.contains(where: { p in
                p[0].contains { abs($0.lon - 35.9) < 0.3 && abs($0.lat - 35.0) < 0.5 } }) == true
        seaLabel = seaIsOpen ? frame.point(projection.forward(seaAnchor)) : nil
    }

    /// Draws the whole map for `territory` (derived from `snapshot`) onto `canvas`.
    public func draw(territory: Territory, snapshot: ControlSnapshot, on canvas: Canvas) {
        let image = canvas as? CairoCanvas
        if cachesSprites, let image, image.acceptsRasterLayers, image.size == options.size { image.sprites = sprites }
        defer { image?.sprites = nil }
        if let target = canvas as? RasterLayerCanvas, let layers = layers(for: target) {
            StageTrace.mark("draw: static layers")
            target.paint(layer: layers.below, over: false)
            drawTerritory(territory, on: canvas)
            target.paint(layer: layers.above, over: true)
            StageTrace.mark("draw: territory")
        } else {
            drawBase(on: canvas)
            drawTerritory(territory, on: canvas)
            drawWaterAndBorders(on: canvas)
        }
        let title = titleText(snapshot.day)
        let tiers = territory.parts.contains { $0.hinterlandKm2 > 0.5 }
        var items: [LegendItem] = territory.parts.map { part in
            let c = part.controller
            let name = c == Controllers.contested ? "Contested (fighting or divided)" : dataset.factions.name(of: c)
            let value = tiers && part.hinterlandKm2 >= 0.5
                ? formatArea(part.areaKm2) + " + " + formatArea(part.hinterlandKm2) : formatArea(part.areaKm2)
            return .area(fill: style.fill(c), hatch: c == Controllers.contested ? style.contestedHatch : nil,
                         edge: c == Controllers.contested ? style.contestedHatch : style.edge(c),
                         dot: c == Controllers.contested ? nil : style.dot(c), label: name, value: value)
        }
        items.append(.gap)
        if tiers { items.append(.symbol(.hinterland, "Lighter tint: hinterland, desert reached from its towns and roads")) }
        if !dataset.atlas.sparse.isEmpty {
            items.append(.symbol(.desert, tiers ? "No fixed control: between hostile sides" : "Open desert, no fixed control"))
        }
        let besieged = self.besieged(snapshot)
        items.append(.symbol(.town, "Town, coloured by who held it"))
        if !besieged.isEmpty { items.append(.symbol(.besiegedTown, "Besieged: dashed ring in the besieger's colour")) }
        items += [.symbol(.border, "International border"),
                  .symbol(.governorate, "Governorate border")]
        let panels = layoutPanels(title: title, legendHead: tiers ? "Area held + hinterland (km²)" : "Area held (km²)",
                                  legend: items, canvas: canvas)
        var obstacles = panels.map(\.rect)
        obstacles += drawCountryNames(canvas, avoiding: obstacles)
        StageTrace.mark("draw: panels and country names")
        drawPlaces(snapshot, on: canvas, obstacles: obstacles, besieged: besieged)
        StageTrace.mark("draw: places and labels")
        for p in panels { p.draw() }
    }

    /// The static layers for `canvas`, drawn on first use; nil when not kept or not usable.
    func layers(for canvas: RasterLayerCanvas) -> (below: CairoCanvas, above: CairoCanvas)? {
        guard cachesStaticLayers, canvas.acceptsRasterLayers, canvas.size == options.size else { return nil }
        if let staticLayers { return staticLayers }
        let key = layerCache.map { cache in
            let o = options, box = o.region.box
            return cache.key("layers", ["argb32 1", "\(o.size.width)x\(o.size.height)", "\(o.reservedBottom)", o.theme,
                                        "\(box.minLon) \(box.minLat) \(box.maxLon) \(box.maxLat)"],
                             alsoReading: ["factions.csv", "basemap/governorates.geojson", "basemap/lakes.geojson"], in: dataset)
        }
        let length = CairoCanvas.imageByteCount(options.size)
        if let cache = layerCache, let key, let mapped = cache.readMapped(key, length: 2 * length),
           let below = try? CairoCanvas(readOnlyPixels: mapped.payload.baseAddress!, size: options.size, keeping: mapped),
           let above = try? CairoCanvas(readOnlyPixels: mapped.payload.baseAddress! + length, size: options.size, keeping: mapped) {
            staticLayers = (below, above)
            return staticLayers
        }
        guard let below = try? CairoCanvas(format: .png, size: options.size, path: nil),
              let above = try? CairoCanvas(format: .png, size: options.size, path: nil) else { return nil }
        drawBase(on: below)
        drawWaterAndBorders(on: above)
        below.flushForReading(); above.flushForReading()
        staticLayers = (below, above)
        if let cache = layerCache, let key, let a = try? below.imageData(), let b = try? above.imageData() {
            var both = [UInt8](repeating: 0, count: 2 * length)
            both.withUnsafeMutableBytes { out in
                out.baseAddress!.copyMemory(from: a.0, byteCount: length)
                (out.baseAddress! + length).copyMemory(from: b.0, byteCount: length)
                cache.writeRaw(key, UnsafeRawBufferPointer(out))
            }
        }
        return staticLayers
    }

    /// The tracked places under siege on the snapshot's day that are on this map: place id → besieger.
    func besieged(_ snapshot: ControlSnapshot) -> [String: ControllerID] {
        var out: [String: ControllerID] = [:]
        let visible = Rect(x: 0, y: 0, width: options.size.width, height: options.size.height - options.reservedBottom)
        for (id, siege) in dataset.sieges(on: snapshot.day) {
            guard snapshot[id] != nil, let px = placePixels[id], visible.contains(Rect(x: px.x, y: px.y, width: 0, height: 0)) else { continue }
            out[id] = siege.besieger
        }
        return out
    }

    /// A dashed ring round a besieged town's dot, in the besieger's colour on a white casing.
    func siegeRing(_ c: Point, radius r: Double, besieger: ControllerID, on canvas: Canvas) {
        let u = unit
        let n = 40
        let ring = [(0..<n).map { i -> Point in
            let a = Double(i) / Double(n) * 2 * Double.pi
            return Point(c.x + r * cos(a), c.y + r * sin(a))
        }]
        canvas.stroke(ring, Paint(hex: "#FFFFFF", alpha: 0.9), width: 3.6 * u, dash: [], closed: true)
        canvas.stroke(ring, style.dot(besieger), width: 2.2 * u, dash: [2.6 * u, 1.7 * u], closed: true)
    }

    func titleText(_ day: Day) -> TitleText {
        TitleText(heading: (options.title ?? dataset.info.title).uppercased(), main: day.longDescription,
                  sub: "Who held what on this day · \(dataset.gazetteer.places.count) places tracked")
    }

    /// Draws the title panel for `day` (used per frame when `deferTitle` is set).
    public func drawTitle(for day: Day, on canvas: Canvas) {
        if !options.bare { titlePanel(titleText(day), canvas: canvas).draw() }
    }

    /// Sea, neighbouring countries, and the open-desert ground of Iraq and Syria.
    func drawBase(on canvas: Canvas) {
        canvas.fillRect(Rect(x: 0, y: 0, width: canvas.size.width, height: canvas.size.height), style.sea)
        for r in neighbours { canvas.fill(r, style.neighbourLand) }
        for r in golan { canvas.fill(r, Paint(hex: "#E4E0D8")) }
        for r in focusCountries {
            canvas.fill(r, style.desert)
            if !dataset.atlas.sparse.isEmpty { stipple(r, on: canvas) }
        }
    }

    /// Lakes, rivers, governorate lines and borders, drawn over the territory.
    func drawWaterAndBorders(on canvas: Canvas) {
        let u = unit
        for r in lakes {
            canvas.fill(r, style.water)
            canvas.stroke(r, style.waterEdge, width: 0.6 * u, dash: [], closed: true)
        }
        for river in rivers { canvas.stroke(river.lines, style.river, width: river.width * u, dash: [], closed: false) }
        canvas.stroke(governorateLines, style.governorateLine, width: 0.7 * u, dash: [4 * u, 3 * u], closed: true)
        canvas.stroke(neighbourBorders, style.neighbourBorder, width: 0.9 * u, dash: [], closed: true)
        canvas.stroke(focusBorders, style.countryBorderCasing, width: 3.6 * u, dash: [], closed: true)
        canvas.stroke(focusBorders, style.countryBorder, width: 1.5 * u, dash: [], closed: true)
    }

    // MARK: territory

    func drawTerritory(_ territory: Territory, on canvas: Canvas, muted: Bool = false) {
        let u = unit
        for part in territory.parts where !part.hinterland.isEmpty {
            let rings = frame.rings(part.hinterland)
            let fill = hinterlandFill(part.controller)
            canvas.fill(rings, muted ? Self.muted(fill) : fill)
        }
        for part in territory.parts {
            let rings = frame.rings(part.polygons)
            let fill = style.fill(part.controller)
            canvas.fill(rings, muted ? Self.muted(fill) : fill)
            if part.controller == Controllers.contested && !muted {
                hatch(rings, on: canvas, paint: style.contestedHatch, spacing: 6 * u, width: 1.4 * u)
            }
        }
        for part in territory.parts {
            let rings = frame.rings(part.polygons)
            let edge = part.controller == Controllers.contested ? style.contestedHatch : style.edge(part.controller)
            canvas.stroke(rings, muted ? Paint(edge.rgb, alpha: 0.35) : edge, width: (muted ? 0.6 : 1.0) * u, dash: [], closed: true)
        }
    }

    /// A fill faded for the unchanged land of change maps.
    static func muted(_ fill: Paint) -> Paint {
        Paint(fill.rgb.mixed(with: RGB(r: 1, g: 1, b: 1), 0.55).mixed(with: RGB(r: 0.85, g: 0.85, b: 0.85), 0.3))
    }

    /// The lighter tint of a side's colour for its hinterland: half way to the desert ground.
    func hinterlandFill(_ c: ControllerID) -> Paint {
        Paint(style.fill(c).rgb.mixed(with: style.desert.rgb, 0.55))
    }

    /// A sparse dot pattern marking desert that no place's reach covers.
    func stipple(_ rings: [[Point]], on canvas: Canvas) {
        canvas.fill(rings, pattern: .stipple(style.desertStipple, spacing: 10 * unit, size: 1.3 * unit))
    }

    /// Diagonal lines: the conventional mark of fighting, and of land lost on change maps.
    public func hatch(_ rings: [[Point]], on canvas: Canvas, paint: Paint, spacing: Double, width: Double) {
        canvas.fill(rings, pattern: .hatch(paint, spacing: spacing, width: width))
    }

    // MARK: places and labels

    func dotRadius(_ p: Place) -> Double {
        (2.4 + 0.5 * log10(Double(p.population) + 10)) * unit
    }

    /// Importance for labelling: size, capitals, and towns that changed hands lately,
    /// which are the ones readers look for on a dated map.
    func labelPriority(_ p: Place, on day: Day, highlighted: Bool = false) -> Double {
        var score = log10(Double(p.population) + 10) + (highlighted ? 6 : 0)
        if p.id == "baghdad" || p.id == "damascus" { score += 10 }
        if p.population >= 500_000 { score += 3 }
        let events = dataset.timeline.events(for: p.id)
        if let last = dataset.timeline.event(for: p.id, on: day) {
            let age = last.date.days(until: day)
            if events.count > 1, events.first != last, age <= 90 { score += 2.5 - Double(age) / 60 }
        }
        if events.count > 2 { score += 0.5 }
        return score
    }

    func labelText(_ p: Place) -> String {
        switch options.labels {
        case .en: return p.name
        case .ar: return p.nameAr.isEmpty ? p.name : p.nameAr
        case .both: return p.nameAr.isEmpty ? p.name : "\(p.name)\n\(p.nameAr)"
        }
    }

    /// Town dots and labels. `changed` maps towns that changed hands to their previous
    /// controller: they are ringed in that colour and labelled first.
    func drawPlaces(_ snapshot: ControlSnapshot, on canvas: Canvas, obstacles: [Rect],
                    changed: [String: ControllerID] = [:], besieged: [String: ControllerID] = [:]) {
        let u = unit
        let visible = Rect(x: 0, y: 0, width: canvas.size.width, height: canvas.size.height - options.reservedBottom)
        let places = dataset.gazetteer.places.filter { snapshot[$0.id] != nil && visible.contains(Rect(x: placePixels[$0.id]!.x, y: placePixels[$0.id]!.y, width: 0, height: 0)) }
        let maxLabels = Int(canvas.size.width * canvas.size.height / 18000)
        let ranked = places.map { ($0, labelPriority($0, on: snapshot.day, highlighted: changed[$0.id] != nil)) }
            .sorted { $0.1 > $1.1 }
        var requests: [LabelPlacer.Request] = []
        var styles: [String: TextStyle] = [:]
        for (i, (p, prio)) in ranked.enumerated() where i < maxLabels {
            let big = p.population >= 250_000 || p.id == "baghdad" || p.id == "damascus"
            let st = style.font((big ? 13.5 : 11.5) * u, bold: big || changed[p.id] != nil, colour: style.text)
            styles[p.id] = st
            let text = labelText(p)
            requests.append(.init(id: p.id, anchor: placePixels[p.id]!, radius: dotRadius(p) + (changed[p.id] != nil ? 6 * u : 1),
                                  size: canvas.measure(text, st), priority: prio))
        }
        StageTrace.mark("draw: \(requests.count) labels measured")
        var placer = LabelPlacer(bounds: visible.insetBy(4 * u), obstacles: obstacles)
        let placements = placer.place(requests)
        StageTrace.mark("draw: labels placed")

        for p in places {
            let c = placePixels[p.id]!
            let controller = snapshot[p.id]!
            var r = dotRadius(p)
            if let previous = changed[p.id] {
                r += 1.5 * u
                let ring = previous == Controllers.unheld ? Paint(hex: "#B8A878") : style.dot(previous)
                canvas.circle(c, radius: r + 3.2 * u, fill: .white, stroke: ring, strokeWidth: 2.6 * u)
            }
            if let besieger = besieged[p.id] { siegeRing(c, radius: r + 3.4 * u, besieger: besieger, on: canvas) }
            if controller == Controllers.contested {
                canvas.circle(c, radius: r, fill: .white, stroke: style.contestedHatch, strokeWidth: 1.8 * u)
                canvas.stroke([[Point(c.x - r * 0.6, c.y + r * 0.6), Point(c.x + r * 0.6, c.y - r * 0.6)]],
                              style.contestedHatch, width: 1.4 * u, dash: [], closed: false)
            } else {
                canvas.circle(c, radius: r, fill: style.dot(controller), stroke: Paint(hex: "#FFFFFF", alpha: 0.95), strokeWidth: 1.1 * u)
            }
            if p.id == "baghdad" || p.id == "damascus" {
                canvas.circle(c, radius: r + 2.5 * u, fill: Paint(hex: "#000000", alpha: 0), stroke: Paint(hex: "#1E1E1E"), strokeWidth: 1.2 * u)
            }
        }
        for pl in placements {
            guard let p = dataset.gazetteer[pl.id], let st = styles[pl.id] else { continue }
            canvas.text(labelText(p), st, at: Point(pl.rect.x, pl.rect.y), halo: Halo(width: 3.2 * u))
        }
    }

    // MARK: country names

    /// Hand-placed anchors in empty parts of each country; a name is drawn only when its
    /// anchor falls inside that country's polygon in the loaded basemap.
    static let countryNames: [(String, String, Double, Double, Bool)] = [
        ("IRQ", "IRAQ", 42.6, 31.7, true), ("SYR", "SYRIA", 38.9, 33.55, true),
        ("TUR", "TURKEY", 40.0, 37.72, false), ("IRN", "IRAN", 47.3, 33.3, false), ("JOR", "JORDAN", 37.4, 30.9, false),
        ("SAU", "SAUDI ARABIA", 41.0, 29.5, false), ("LBN", "LEBANON", 35.75, 33.95, false), ("KWT", "KUWAIT", 47.65, 29.35, false),
    ]

    func drawCountryNames(_ canvas: Canvas, avoiding: [Rect]) -> [Rect] {
        let u = unit
        var used: [Rect] = []
        let bounds = Rect(x: 0, y: 0, width: canvas.size.width, height: canvas.size.height - options.reservedBottom)
        for (name, c, focus) in countryLabels {
            var st = style.font((focus ? 26 : 15) * u, bold: focus, colour: focus ? Paint(hex: "#3C3C3C", alpha: 0.45) : style.mutedText)
            st.letterSpacing = (focus ? 9 : 4) * u
            let s = canvas.measure(name, st)
            let r = Rect(x: c.x - s.width / 2, y: c.y - s.height / 2, width: s.width, height: s.height)
            guard bounds.insetBy(2).contains(r), !avoiding.contains(where: { $0.intersects(r) }) else { continue }
            canvas.text(name, st, at: Point(r.x, r.y), halo: focus ? nil : Halo(Paint(hex: "#F0EDE6", alpha: 0.8), width: 2.5 * u))
            used.append(r)
        }
        guard let sea = seaLabel else { return used }
        var seaStyle = style.font(12 * u, colour: Paint(hex: "#4A7A99"))
        seaStyle.italic = true
        let text = "Mediterranean\nSea"
        let s = canvas.measure(text, seaStyle)
        let r = Rect(x: sea.x - s.width / 2, y: sea.y - s.height / 2, width: s.width, height: s.height)
        if bounds.contains(r), !avoiding.contains(where: { $0.intersects(r) }) {
            canvas.text(text, seaStyle, at: Point(r.x, r.y), halo: nil)
            used.append(r)
        }
        return used
    }

    // MARK: panels

    struct Panel {
        let rect: Rect
        let draw: () -> Void
    }

    struct TitleText {
        var heading: String
        var main: String
        var sub: String
    }

    enum SymbolKind { case town, border, governorate, desert, changedTown, hinterland, besiegedTown }

    enum LegendItem {
        case area(fill: Paint, hatch: Paint?, edge: Paint, dot: Paint?, label: String, value: String)
        case symbol(SymbolKind, String)
        case gap
    }

    func layoutPanels(title: TitleText, legendHead: String, legend: [LegendItem], canvas: Canvas) -> [Panel] {
        let u = unit
        let m = 18 * u
        let bottom = canvas.size.height - options.reservedBottom
        var panels: [Panel] = []

        if !options.bare {
            let titleP = titlePanel(title, canvas: canvas)
            panels.append(options.deferTitle ? Panel(rect: titleP.rect) {} : titleP)
            panels.append(legendPanel(head: legendHead, items: legend, canvas: canvas, bottomLeft: Point(m, bottom - m - 22 * u)))
        }
        panels.append(scaleBar(canvas: canvas, bottomRight: Point(canvas.size.width - m, bottom - m - 22 * u)))

        let ats = style.font(10.5 * u, colour: style.mutedText)
        let text = dataset.info.attribution + " Territory is derived from the towns each side held; see the README for the method."
        let asz = canvas.measure(text, ats)
        let ar = Rect(x: max(2, canvas.size.width - asz.width - 10 * u), y: bottom - asz.height - 6 * u,
                      width: asz.width + 6 * u, height: asz.height + 2 * u)
        panels.append(Panel(rect: ar) { [style] in
            canvas.fillRect(ar, Paint(style.panel.rgb, alpha: 0.75))
            canvas.text(text, ats, at: Point(ar.x + 3 * u, ar.y + 1 * u), halo: nil)
        })
        return panels
    }

    func titlePanel(_ title: TitleText, canvas: Canvas) -> Panel {
        let u = unit
        let m = 18 * u
        var hs = style.font(13 * u, bold: true, colour: style.mutedText)
        hs.letterSpacing = 1.5 * u
        let ds = style.font(34 * u, bold: true)
        let ss = style.font(11.5 * u, colour: style.mutedText)
        let hsz = canvas.measure(title.heading, hs), ssz = canvas.measure(title.sub, ss)
        var dsz = canvas.measure(title.main, ds)
        if options.deferTitle {
            // The widest date of any frame, so the panel never changes size.
            dsz.width = max(dsz.width, canvas.measure("28 September 2017", ds).width, canvas.measure("28 November 2017", ds).width)
        }
        let tw = max(hsz.width, dsz.width, ssz.width) + 2 * 14 * u
        let th = hsz.height + dsz.height + ssz.height + 2 * 12 * u
        let titleRect = Rect(x: m, y: m, width: tw, height: th)
        return Panel(rect: titleRect) { [style] in
            canvas.fillRect(titleRect, style.panel)
            canvas.strokeRect(titleRect, style.panelEdge, width: 0.8 * u)
            var y = titleRect.y + 12 * u
            canvas.text(title.heading, hs, at: Point(titleRect.x + 14 * u, y), halo: nil); y += hsz.height
            canvas.text(title.main, ds, at: Point(titleRect.x + 14 * u, y), halo: nil); y += dsz.height
            canvas.text(title.sub, ss, at: Point(titleRect.x + 14 * u, y), halo: nil)
        }
    }

    func legendPanel(head: String, items: [LegendItem], canvas: Canvas, bottomLeft: Point) -> Panel {
        let u = unit
        let pad = 12 * u, sw = 26 * u, sh = 16 * u, rowH = 22 * u, gapH = 8 * u
        let nameStyle = style.font(12.5 * u), areaStyle = style.font(11.5 * u, colour: style.mutedText)
        let headStyle = style.font(12 * u, bold: true, colour: style.mutedText)
        var width = canvas.measure(head, headStyle).width
        var height = pad * 2 + 22 * u
        for item in items {
            switch item {
            case .area(_, _, _, _, let label, let value):
                width = max(width, sw + 10 * u + canvas.measure(label, nameStyle).width + 18 * u + canvas.measure(value, areaStyle).width)
                height += rowH
            case .symbol(_, let label):
                width = max(width, sw + 10 * u + canvas.measure(label, nameStyle).width)
                height += rowH
            case .gap:
                height += gapH
            }
        }
        width += 2 * pad
        let rect = Rect(x: bottomLeft.x, y: bottomLeft.y - height, width: width, height: height)
        return Panel(rect: rect) { [self] in
            canvas.fillRect(rect, style.panel)
            canvas.strokeRect(rect, style.panelEdge, width: 0.8 * u)
            var y = rect.y + pad
            canvas.text(head, headStyle, at: Point(rect.x + pad, y), halo: nil)
            y += 22 * u
            let x0 = rect.x + pad
            for item in items {
                let cy = y + rowH / 2 - 2 * u
                switch item {
                case .gap:
                    y += gapH
                    continue
                case .area(let fill, let hatchPaint, let edge, let dot, let label, let value):
                    let box = Rect(x: x0, y: cy - sh / 2, width: sw, height: sh)
                    let ring = [[Point(box.x, box.y), Point(box.maxX, box.y), Point(box.maxX, box.maxY), Point(box.x, box.maxY)]]
                    canvas.fill(ring, fill)
                    if let hatchPaint { hatch(ring, on: canvas, paint: hatchPaint, spacing: 6 * u, width: 1.4 * u) }
                    canvas.stroke(ring, edge, width: 1 * u, dash: [], closed: true)
                    if let dot {
                        canvas.circle(Point(box.x + box.width / 2, cy), radius: 3.5 * u, fill: dot, stroke: .white, strokeWidth: 1 * u)
                    }
                    let vs = canvas.measure(value, areaStyle)
                    canvas.text(value, areaStyle, at: Point(rect.maxX - pad - vs.width, cy - vs.height / 2), halo: nil)
                    let ns = canvas.measure(label, nameStyle)
                    canvas.text(label, nameStyle, at: Point(box.maxX + 10 * u, cy - ns.height / 2), halo: nil)
                case .symbol(let kind, let label):
                    drawSymbol(kind, at: Point(x0, cy), width: sw, height: sh, on: canvas)
                    let ns = canvas.measure(label, nameStyle)
                    canvas.text(label, nameStyle, at: Point(x0 + sw + 10 * u, cy - ns.height / 2), halo: nil)
                }
                y += rowH
            }
        }
    }

    func drawSymbol(_ kind: SymbolKind, at p: Point, width sw: Double, height sh: Double, on canvas: Canvas) {
        let u = unit
        let x0 = p.x, cy = p.y
        switch kind {
        case .town:
            canvas.circle(Point(x0 + sw / 2, cy), radius: 4 * u, fill: Paint(hex: "#777777"), stroke: .white, strokeWidth: 1 * u)
        case .besiegedTown:
            let c = Point(x0 + sw / 2, cy)
            siegeRing(c, radius: 7.4 * u, besieger: dataset.factions.factions.first(where: { $0.id == "isis" })?.id
                      ?? dataset.factions.factions.first?.id ?? "", on: canvas)
            canvas.circle(c, radius: 4 * u, fill: Paint(hex: "#777777"), stroke: .white, strokeWidth: 1 * u)
        case .changedTown:
            canvas.circle(Point(x0 + sw / 2, cy), radius: 8 * u, fill: .white, stroke: Paint(hex: "#777777"), strokeWidth: 2.6 * u)
            canvas.circle(Point(x0 + sw / 2, cy), radius: 4 * u, fill: Paint(hex: "#333333"), stroke: .white, strokeWidth: 1 * u)
        case .border:
            canvas.stroke([[Point(x0, cy), Point(x0 + sw, cy)]], style.countryBorderCasing, width: 3.6 * u, dash: [], closed: false)
            canvas.stroke([[Point(x0, cy), Point(x0 + sw, cy)]], style.countryBorder, width: 1.5 * u, dash: [], closed: false)
        case .governorate:
            canvas.stroke([[Point(x0, cy), Point(x0 + sw, cy)]], style.governorateLine, width: 0.9 * u, dash: [4 * u, 3 * u], closed: false)
        case .hinterland:
            // A held swatch fading into its hinterland tint, in the first side's colour.
            let c = dataset.factions.factions.first(where: { $0.id == "iraq_gov" })?.id ?? dataset.factions.factions.first?.id ?? ""
            let half = Rect(x: x0, y: cy - sh / 2, width: sw / 2, height: sh)
            let rest = Rect(x: x0 + sw / 2, y: cy - sh / 2, width: sw / 2, height: sh)
            func ring(_ b: Rect) -> [[Point]] { [[Point(b.x, b.y), Point(b.maxX, b.y), Point(b.maxX, b.maxY), Point(b.x, b.maxY)]] }
            canvas.fill(ring(half), style.fill(c))
            canvas.fill(ring(rest), hinterlandFill(c))
            canvas.stroke(ring(Rect(x: x0, y: cy - sh / 2, width: sw, height: sh)), style.panelEdge, width: 0.6 * u, dash: [], closed: true)
        case .desert:
            let box = Rect(x: x0, y: cy - sh / 2, width: sw, height: sh)
            let ring = [[Point(box.x, box.y), Point(box.maxX, box.y), Point(box.maxX, box.maxY), Point(box.x, box.maxY)]]
            canvas.fill(ring, style.desert)
            stipple(ring, on: canvas)
            canvas.stroke(ring, style.panelEdge, width: 0.6 * u, dash: [], closed: true)
        }
    }

    func scaleBar(canvas: Canvas, bottomRight: Point) -> Panel {
        let u = unit
        let target = canvas.size.width / 7 * frame.metresPerPixel / 1000
        let nice = [10.0, 20, 25, 50, 100, 150, 200, 250, 300, 500, 1000, 2000]
        let km = nice.last { $0 <= target } ?? nice[0]
        let barW = km * 1000 / frame.metresPerPixel
        let ls = style.font(11.5 * u)
        let label = "\(Int(km)) km"
        let lsz = canvas.measure(label, ls)
        let pad = 10 * u
        let rect = Rect(x: bottomRight.x - barW - 2 * pad - lsz.width / 2, y: bottomRight.y - 46 * u,
                        width: barW + 2 * pad + lsz.width / 2 + 4 * u, height: 46 * u)
        return Panel(rect: rect) { [style] in
            canvas.fillRect(rect, style.panel)
            canvas.strokeRect(rect, style.panelEdge, width: 0.8 * u)
            let x0 = rect.x + pad, y0 = rect.y + 30 * u, h = 6 * u
            for i in 0..<4 {
                let seg = Rect(x: x0 + barW / 4 * Double(i), y: y0, width: barW / 4, height: h)
                canvas.fillRect(seg, i % 2 == 0 ? Paint(hex: "#222222") : .white)
            }
            canvas.strokeRect(Rect(x: x0, y: y0, width: barW, height: h), Paint(hex: "#222222"), width: 0.8 * u)
            let zs = canvas.measure("0", ls)
            canvas.text("0", ls, at: Point(x0 - zs.width / 2, y0 - zs.height - 2 * u), halo: nil)
            let half = "\(Int(km / 2))"
            let hs = canvas.measure(half, ls)
            canvas.text(half, ls, at: Point(x0 + barW / 2 - hs.width / 2, y0 - hs.height - 2 * u), halo: nil)
            canvas.text(label, ls, at: Point(x0 + barW - lsz.width / 2 + 8 * u, y0 - lsz.height - 2 * u), halo: nil)
        }
    }
}

/// Even-odd point-in-ring test in longitude/latitude.
func ringContains(_ ring: [Coordinate], _ p: Coordinate) -> Bool {
    var inside = false
    var j = ring.count - 1
    for i in 0..<ring.count {
        let a = ring[i], b = ring[j]
        if (a.lat > p.lat) != (b.lat > p.lat),
           p.lon < (b.lon - a.lon) * (p.lat - a.lat) / (b.lat - a.lat) + a.lon { inside.toggle() }
        j = i
    }
    return inside
}

public func formatArea(_ km2: Double) -> String { formatThousands(Int(km2.rounded())) }
