import CCairo
import Foundation
import FrontlineData

/// Records every drawing call in full (text is measured by a real canvas, so layout decisions
/// are the ones a direct drawing would make) to replay them later on other canvases.
///
/// This is how one PNG is drawn on several cores: the map is laid out once into a
/// `DeferredCanvas`, then each core replays it onto its own horizontal band of the image
/// (`CairoCanvas.drawInBands`). Cairo's coverage of a pixel does not depend on where the
/// surface ends, so the bands join without a seam and the image is the one drawn directly.
public final class DeferredCanvas: RasterLayerCanvas {
    indirect enum Op {
        case fill([[Point]], Paint)
        case pattern([[Point]], FillPattern)
        case stroke([[Point]], Paint, width: Double, dash: [Double], closed: Bool)
        case fillRect(Rect, Paint)
        case strokeRect(Rect, Paint, width: Double)
        case circle(Point, radius: Double, fill: Paint, stroke: Paint?, strokeWidth: Double)
        case clipped([[Point]], [Op])
        case translated(Point, Rect, [Op])
        case text(String, TextStyle, Point, Halo?)
        case layer(CairoCanvas, over: Bool)
    }

    public let size: Size
    private let measurer: Canvas
    private var stack: [[Op]] = [[]]

    public init(measuringWith canvas: Canvas) {
        measurer = canvas
        size = canvas.size
    }

    var ops: [Op] { stack[0] }
    private func add(_ op: Op) { stack[stack.count - 1].append(op) }
    private func nested(_ body: () -> Void) -> [Op] {
        stack.append([])
        body()
        return stack.removeLast()
    }

    public func fill(_ rings: [[Point]], _ paint: Paint) { add(.fill(rings, paint)) }
    public func fill(_ rings: [[Point]], pattern: FillPattern) { add(.pattern(rings, pattern)) }
    public func stroke(_ lines: [[Point]], _ paint: Paint, width: Double, dash: [Double], closed: Bool) {
        add(.stroke(lines, paint, width: width, dash: dash, closed: closed))
    }
    public func fillRect(_ r: Rect, _ paint: Paint) { add(.fillRect(r, paint)) }
    public func strokeRect(_ r: Rect, _ paint: Paint, width: Double) { add(.strokeRect(r, paint, width: width)) }
    public func circle(_ c: Point, radius: Double, fill: Paint, stroke: Paint?, strokeWidth: Double) {
        add(.circle(c, radius: radius, fill: fill, stroke: stroke, strokeWidth: strokeWidth))
    }
    public func clipped(to rings: [[Point]], _ body: () -> Void) { add(.clipped(rings, nested(body))) }
    public func translated(by offset: Point, clip: Rect, _ body: () -> Void) {
        add(.translated(offset, clip, nested(body)))
    }
    public func measure(_ text: String, _ style: TextStyle) -> Size { measurer.measure(text, style) }
    public func text(_ text: String, _ style: TextStyle, at origin: Point, halo: Halo?) {
        add(.text(text, style, origin, halo))
    }

    public var acceptsRasterLayers: Bool { true }
    public func paint(layer: CairoCanvas, over: Bool) { add(.layer(layer, over: over)) }

    /// Draws the recorded calls onto `canvas`, in order.
    public func replay(on canvas: Canvas) { Self.replay(ops, on: canvas) }

    private static func replay(_ ops: [Op], on c: Canvas) {
        for op in ops {
            switch op {
            case .fill(let r, let p): c.fill(r, p)
            case .pattern(let r, let p): c.fill(r, pattern: p)
            case .stroke(let l, let p, let w, let d, let closed): c.stroke(l, p, width: w, dash: d, closed: closed)
            case .fillRect(let r, let p): c.fillRect(r, p)
            case .strokeRect(let r, let p, let w): c.strokeRect(r, p, width: w)
            case .circle(let centre, let r, let f, let s, let w): c.circle(centre, radius: r, fill: f, stroke: s, strokeWidth: w)
            case .clipped(let r, let inner): c.clipped(to: r) { replay(inner, on: c) }
            case .translated(let o, let clip, let inner): c.translated(by: o, clip: clip) { replay(inner, on: c) }
            case .text(let t, let s, let o, let h): c.text(t, s, at: o, halo: h)
            case .layer(let layer, let over): (c as? RasterLayerCanvas)?.paint(layer: layer, over: over)
            }
        }
    }
}

extension CairoCanvas {
    /// How many bands a PNG is drawn in: two per core (the bands of a map are uneven — labels
    /// crowd the towns — so smaller bands keep every core busy to the end), at most 8, none
    /// thinner than 150 rows; `FRONTLINE_BANDS=N` sets it (1 draws directly, as on one core).
    /// On the 2-core machine, medians of 7 whole renders: 1 band 0.39 s, 2 bands 0.37 s, 4 bands 0.32 s.
    public static func bandCount(height: Double) -> Int {
        let wanted = Int(ProcessInfo.processInfo.environment["FRONTLINE_BANDS"] ?? "")
            ?? min(2 * ProcessInfo.processInfo.activeProcessorCount, 8)
        return max(1, min(wanted, Int(height / 150)))
    }

    /// Replays `drawing` onto this PNG canvas in `bands` horizontal bands at once, each on its
    /// own Cairo context over this canvas's pixels.
    public func drawInBands(_ drawing: DeferredCanvas, bands: Int? = nil) throws {
        try drawInBands(drawing, bands: bands, then: nil)
    }

    /// As `drawInBands(_:bands:)`; `then(band, top, bottom)` runs on the band's core as soon as
    /// rows `top..<bottom` are drawn (and final), while other bands are still being drawn.
    func drawInBands(_ drawing: DeferredCanvas, bands: Int?,
                     then: ((_ band: Int, _ top: Int, _ bottom: Int) -> Void)?) throws {
        guard format == .png else { throw RenderError("banded drawing needs an image canvas") }
        let n = max(1, bands ?? Self.bandCount(height: size.height))
        let (pixels, stride) = try imageData()
        let h = Int(size.height)
        let edges = (0...n).map { $0 * h / n }
        let failures = ResultSlots<String>(n)
        // Each band's canvas is made on the thread that draws it: Pango's default font map is
        // per thread, and a font map must not be shared between threads.
        DispatchQueue.concurrentPerform(iterations: n) { i in
            do {
                let band = try CairoCanvas(band: pixels + edges[i] * stride, stride: stride, width: Int(size.width),
                                           top: edges[i], height: edges[i + 1] - edges[i], of: size)
                drawing.replay(on: band)
                cairo_surface_flush(band.surface)
                let status = cairo_status(band.cr)
                if status != CAIRO_STATUS_SUCCESS { failures.set(i, String(cString: cairo_status_to_string(status))) }
                then?(i, edges[i], edges[i + 1])
            } catch {
                failures.set(i, "\(error)")
            }
        }
        cairo_surface_mark_dirty(surface)
        if let message = failures.values.compactMap({ $0 }).first { throw RenderError("drawing failed: \(message)") }
    }
}
