import FrontlineData

public struct Point: Hashable, Sendable {
    public var x: Double, y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
}

public struct Size: Hashable, Sendable {
    public var width: Double, height: Double
    public init(_ w: Double, _ h: Double) { width = w; height = h }
}

public struct Rect: Hashable, Sendable {
    public var x: Double, y: Double, width: Double, height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
    public func intersects(_ o: Rect) -> Bool {
        x < o.maxX && o.x < maxX && y < o.maxY && o.y < maxY
    }
    public func contains(_ o: Rect) -> Bool { o.x >= x && o.y >= y && o.maxX <= maxX && o.maxY <= maxY }
    public func insetBy(_ d: Double) -> Rect { Rect(x: x + d, y: y + d, width: width - 2 * d, height: height - 2 * d) }
}

/// A colour with alpha.
public struct Paint: Hashable, Sendable {
    public var rgb: RGB
    public var alpha: Double
    public init(_ rgb: RGB, alpha: Double = 1) { self.rgb = rgb; self.alpha = alpha }
    public init(hex: String, alpha: Double = 1) { rgb = RGB(hex: hex) ?? RGB(r: 1, g: 0, b: 1); self.alpha = alpha }
    public static let white = Paint(hex: "#FFFFFF")
    public static let black = Paint(hex: "#000000")
}

public struct TextStyle: Hashable, Sendable {
    public enum Weight: Sendable { case regular, bold }
    public var family: String
    public var size: Double
    public var weight: Weight
    public var colour: Paint
    public var letterSpacing: Double
    public var italic: Bool

    public init(family: String = "Noto Sans", size: Double, weight: Weight = .regular,
                colour: Paint = .black, letterSpacing: Double = 0, italic: Bool = false) {
        self.family = family; self.size = size; self.weight = weight; self.colour = colour
        self.letterSpacing = letterSpacing; self.italic = italic
    }
}

/// A halo drawn under text so it stays readable over any fill.
public struct Halo: Hashable, Sendable {
    public var paint: Paint
    public var width: Double
    public init(_ paint: Paint = Paint(hex: "#FFFFFF", alpha: 0.9), width: Double = 3) { self.paint = paint; self.width = width }
}

/// A repeating fill: diagonal hatching (fighting, losses) or a sparse stipple (open desert).
public enum FillPattern: Hashable, Sendable {
    case hatch(Paint, spacing: Double, width: Double)
    case stipple(Paint, spacing: Double, size: Double)
}

/// What map drawing needs from a backend. `CairoCanvas` draws for real; `RecordingCanvas`
/// records the calls so tests can check what was drawn without pixels.
public protocol Canvas: AnyObject {
    var size: Size { get }
    /// Fills the rings (outer rings and holes) of one shape with the even-odd rule.
    func fill(_ rings: [[Point]], _ paint: Paint)
    func stroke(_ lines: [[Point]], _ paint: Paint, width: Double, dash: [Double], closed: Bool)
    /// Fills the rings (even-odd) with a repeating pattern.
    func fill(_ rings: [[Point]], pattern: FillPattern)
    func fillRect(_ r: Rect, _ paint: Paint)
    func strokeRect(_ r: Rect, _ paint: Paint, width: Double)
    func circle(_ centre: Point, radius: Double, fill: Paint, stroke: Paint?, strokeWidth: Double)
    /// Runs `body` with drawing clipped to the rings.
    func clipped(to rings: [[Point]], _ body: () -> Void)
    /// Runs `body` with the origin moved to `offset` and drawing clipped to `clip` (in the
    /// moved coordinates): one canvas holding several maps side by side.
    func translated(by offset: Point, clip: Rect, _ body: () -> Void)
    func measure(_ text: String, _ style: TextStyle) -> Size
    /// Draws text with its top-left corner at `origin`.
    func text(_ text: String, _ style: TextStyle, at origin: Point, halo: Halo?)
}

/// A canvas that can take a whole drawn layer as pixels (`MapRenderer.cachesStaticLayers`):
/// image canvases, and the deferred canvas that replays onto their bands.
public protocol RasterLayerCanvas: Canvas {
    /// Whether `paint(layer:over:)` can be used here (an image, not SVG or PDF).
    var acceptsRasterLayers: Bool { get }
    /// Paints `layer` (an image canvas of this canvas's size) at the origin: copied when
    /// `over` is false, composited over what is drawn when true.
    func paint(layer: CairoCanvas, over: Bool)
}

/// Records drawing calls; measures text with a fixed advance per character.
public final class RecordingCanvas: Canvas {
    public enum Op: Equatable {
        case fill(rings: Int, Paint)
        case pattern(rings: Int, FillPattern)
        case stroke(lines: Int, Paint, width: Double)
        case fillRect(Rect, Paint)
        case strokeRect(Rect, Paint)
        case circle(Point, radius: Double, Paint)
        case clip(depth: Int)
        case text(String, Rect, TextStyle)
    }

    public let size: Size
    public private(set) var ops: [Op] = []
    private var clipDepth = 0

    public init(size: Size) { self.size = size }

    public func fill(_ rings: [[Point]], _ paint: Paint) { ops.append(.fill(rings: rings.count, paint)) }
    public func fill(_ rings: [[Point]], pattern: FillPattern) { ops.append(.pattern(rings: rings.count, pattern)) }
    public func stroke(_ lines: [[Point]], _ paint: Paint, width: Double, dash: [Double], closed: Bool) {
        ops.append(.stroke(lines: lines.count, paint, width: width))
    }
    public func fillRect(_ r: Rect, _ paint: Paint) { ops.append(.fillRect(r, paint)) }
    public func strokeRect(_ r: Rect, _ paint: Paint, width: Double) { ops.append(.strokeRect(r, paint)) }
    public func circle(_ c: Point, radius: Double, fill: Paint, stroke: Paint?, strokeWidth: Double) {
        ops.append(.circle(c, radius: radius, fill))
    }
    public func clipped(to rings: [[Point]], _ body: () -> Void) {
        clipDepth += 1; ops.append(.clip(depth: clipDepth)); body(); clipDepth -= 1
    }
    public func translated(by offset: Point, clip: Rect, _ body: () -> Void) { body() }

    public func measure(_ text: String, _ style: TextStyle) -> Size {
        Size(Double(text.count) * style.size * 0.6, style.size * 1.3)
    }
    public func text(_ text: String, _ style: TextStyle, at origin: Point, halo: Halo?) {
        let s = measure(text, style)
        ops.append(.text(text, Rect(x: origin.x, y: origin.y, width: s.width, height: s.height), style))
    }

    public var texts: [(String, Rect)] {
        ops.compactMap { if case .text(let s, let r, _) = $0 { return (s, r) } else { return nil } }
    }
}
