import Foundation
import FrontlineData
import FrontlineGeometry

public enum ChangeLayout: String, CaseIterable, Sendable {
    /// One map of what changed hands.
    case single
    /// The first date, the second date and the change map on one canvas.
    case sideBySide = "side-by-side"
}

extension MapRenderer {
    /// The change map: land that changed hands in the new holder's colour, hatched in the
    /// colour of the side that lost it; unchanged land muted; towns that changed hands ringed
    /// in their previous holder's colour and labelled first.
    public func drawChange(_ c: Comparison, on canvas: Canvas) {
        let u = unit
        drawBase(on: canvas)
        drawTerritory(c.territoryTo, on: canvas, muted: true)
        for flow in c.flows {
            let rings = frame.rings(flow.polygons)
            canvas.fill(rings, flowFill(flow.to))
            hatch(rings, on: canvas, paint: flowHatch(flow.from), spacing: 6.5 * u, width: 1.6 * u)
            canvas.stroke(rings, flow.to == Controllers.unheld ? style.desertStipple : style.edge(flow.to),
                          width: 1.1 * u, dash: [], closed: true)
        }
        drawWaterAndBorders(on: canvas)

        let arrow = c.isReversed ? " ← " : " → "
        let title = TitleText(heading: "WHAT CHANGED HANDS",
                              main: c.from.longDescription + arrow + c.to.longDescription,
                              sub: c.isEmpty ? "Same date: no change" :
                                (c.isReversed ? "Reverse comparison: the second date is earlier · " : "")
                                + "\(Set(c.changes.map(\.place)).count) towns changed hands")
        var items: [LegendItem] = []
        var pairs: [String: (from: ControllerID, to: ControllerID, km2: Double)] = [:]
        for f in c.flows { pairs["\(f.from)>\(f.to)", default: (f.from, f.to, 0)].km2 += f.areaKm2 }
        let ranked = pairs.values.sorted { $0.km2 > $1.km2 }
        for p in ranked.prefix(9) {
            items.append(.area(fill: flowFill(p.to), hatch: flowHatch(p.from),
                               edge: p.to == Controllers.unheld ? style.desertStipple : style.edge(p.to), dot: nil,
                               label: "\(dataset.factions.name(of: p.to)) ← \(dataset.factions.name(of: p.from))", value: formatArea(p.km2)))
        }
        if ranked.count > 9 {
            items.append(.symbol(.governorate, "and \(ranked.count - 9) smaller changes (\(formatArea(ranked.dropFirst(9).reduce(0) { $0 + $1.km2 })) km²)"))
        }
        items.append(.gap)
        items.append(.area(fill: Paint(hex: "#E6E1DE"), hatch: nil, edge: Paint(hex: "#BBBBBB"), dot: nil,
                           label: "Unchanged (muted colour of its holder)", value: ""))
        items.append(.symbol(.changedTown, "Town that changed hands (ring: previous holder)"))
        items += [.symbol(.border, "International border")]
        let panels = layoutPanels(title: title, legendHead: "Gained ← from (km²); hatching shows who lost it",
                                  legend: items, canvas: canvas)
        var obstacles = panels.map(\.rect)
        obstacles += drawCountryNames(canvas, avoiding: obstacles)
        var changed: [String: ControllerID] = [:]
        let snapshot = dataset.timeline.snapshot(on: c.to)
        let before = dataset.timeline.snapshot(on: c.from)
        for ch in c.changes where before[ch.place] != snapshot[ch.place] {
            changed[ch.place] = before[ch.place] ?? Controllers.unheld
        }
        drawPlaces(snapshot, on: canvas, obstacles: obstacles, changed: changed)
        for p in panels { p.draw() }
    }

    func flowFill(_ to: ControllerID) -> Paint { to == Controllers.unheld ? style.desert : style.fill(to) }

    func flowHatch(_ from: ControllerID) -> Paint {
        switch from {
        case Controllers.unheld: return Paint(hex: "#B8A878")
        case Controllers.contested: return style.contestedHatch
        default:
            let dot = style.dot(from)
            return Paint(dot.rgb.luminance > 0.6 ? dot.rgb.mixed(with: RGB(r: 0, g: 0, b: 0), 0.3) : dot.rgb, alpha: 0.9)
        }
    }

    /// Writes the change map (or the three-panel layout) to PNG, SVG or PDF, atomically.
    public func writeChange(_ c: Comparison, layout: ChangeLayout, to path: String) throws {
        guard let format = OutputFormat(path: path) else {
            throw RenderError("cannot write \(path): unsupported file type; use .png, .svg or .pdf")
        }
        try AtomicFile.write(to: path) { tmp in
            let canvas = try CairoCanvas(format: format, size: options.size, path: tmp)
            switch layout {
            case .single:
                drawChange(c, on: canvas)
            case .sideBySide:
                let w = (options.size.width / 3).rounded(.down), h = options.size.height
                var sub = options
                sub.size = Size(w, h)
                let panel = try MapRenderer(dataset: dataset, projection: projection, options: sub)
                let snapshots = [dataset.timeline.snapshot(on: c.from), dataset.timeline.snapshot(on: c.to)]
                let territories = [c.territoryFrom, c.territoryTo]
                for i in 0..<3 {
                    canvas.translated(by: Point(Double(i) * w, 0), clip: Rect(x: 0, y: 0, width: w, height: h)) {
                        if i < 2 {
                            panel.draw(territory: territories[i], snapshot: snapshots[i], on: canvas)
                        } else {
                            panel.drawChange(c, on: canvas)
                        }
                    }
                }
                let seam = (1...2).map { [Point(Double($0) * w, 0), Point(Double($0) * w, h)] }
                canvas.stroke(seam, Paint(hex: "#FFFFFF"), width: 4, dash: [], closed: false)
            }
            try canvas.finish(pngPath: tmp)
        }
    }
}
