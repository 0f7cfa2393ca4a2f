import CCairo
import Foundation

/// Town dots and labels kept as small images between the maps of one renderer.
///
/// The maps of an animation put each town's dot and most labels at the same pixel positions;
/// only a dot's colour changes when its town changes hands. A dot or a label is drawn once
/// into a sprite covering whole pixels round it, at the same sub-pixel offset, and painted
/// over later maps: compositing is associative, so the pixels are those of drawing it
/// directly, but for 8-bit rounding. Used by image canvases only, with no transform set.
public final class SpriteStore {
    enum Key: Hashable {
        case dot(Point, radius: Double, fill: Paint, stroke: Paint?, strokeWidth: Double)
        case text(String, TextStyle, Point, Halo?)
    }
    struct Sprite {
        let canvas: CairoCanvas
        let x: Int, y: Int, width: Int, height: Int
    }
    /// At most this many sprites (about 8 KB each); past it, the store starts again.
    static let limit = 8192
    var sprites: [Key: Sprite] = [:]
    public init() {}

    /// The sprite for `key`, drawn by `body` on a canvas covering `bounds` when new.
    func sprite(_ key: Key, bounds: Rect, _ body: (CairoCanvas) -> Void) -> Sprite? {
        if let s = sprites[key] { return s }
        let x = Int(bounds.x.rounded(.down)), y = Int(bounds.y.rounded(.down))
        let w = Int(bounds.maxX.rounded(.up)) - x, h = Int(bounds.maxY.rounded(.up)) - y
        guard w > 0, h > 0, w <= 2048, h <= 512,
              let canvas = try? CairoCanvas(format: .png, size: Size(Double(w), Double(h)), path: nil) else { return nil }
        cairo_translate(canvas.cr, -Double(x), -Double(y))
        body(canvas)
        canvas.flushForReading()
        if sprites.count >= Self.limit { sprites.removeAll() }
        let s = Sprite(canvas: canvas, x: x, y: y, width: w, height: h)
        sprites[key] = s
        return s
    }
}

extension CairoCanvas {
    /// Paints a sprite over what is drawn.
    func paint(_ s: SpriteStore.Sprite) {
        cairo_save(cr)
        cairo_set_source_surface(cr, s.canvas.surface, Double(s.x), Double(s.y))
        cairo_new_path(cr)
        cairo_rectangle(cr, Double(s.x), Double(s.y), Double(s.width), Double(s.height))
        cairo_fill(cr)
        cairo_restore(cr)
    }
}
