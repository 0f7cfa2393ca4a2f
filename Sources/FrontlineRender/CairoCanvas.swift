import CCairo
import CPNG
import Foundation
import FrontlineData

/// The file formats the renderer writes, chosen by the output file's extension.
public enum OutputFormat: String, CaseIterable, Sendable {
    case png, svg, pdf

    public init?(path: String) {
        let ext = (path as NSString).pathExtension.lowercased()
        self.init(rawValue: ext)
    }
}

public struct RenderError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Draws with Cairo, text with Pango. One instance draws one image; not thread-safe.
public final class CairoCanvas: RasterLayerCanvas {
    public let size: Size
    public let format: OutputFormat
    let surface: OpaquePointer
    let cr: OpaquePointer
    private var fonts: [TextStyle: OpaquePointer] = [:]
    private var patterns: [FillPattern: OpaquePointer] = [:]
    private let layout: OpaquePointer
    private let path: String?
    /// Dots and labels kept between maps (see `SpriteStore`); nil draws them directly.
    public var sprites: SpriteStore?
    /// What owns the pixels of a canvas over memory it did not allocate.
    private var retained: AnyObject?

    /// For SVG and PDF, Cairo streams to `path` while drawing, so pass the temporary
    /// path of an `AtomicFile`. For PNG the path is only used by `finish()`.
    public convenience init(format: OutputFormat, size: Size, path: String?) throws {
        guard size.width >= 1, size.height >= 1, size.width <= 20000, size.height <= 20000 else {
            throw RenderError("image size \(Int(size.width))×\(Int(size.height)) is out of range (1…20000 pixels a side)")
        }
        let s: OpaquePointer?
        switch format {
        case .png: s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(size.width), Int32(size.height))
        case .svg:
            guard let path else { throw RenderError("SVG output needs a file path") }
            s = cairo_svg_surface_create(path, size.width, size.height)
            if let s { cairo_svg_surface_restrict_to_version(s, CAIRO_SVG_VERSION_1_1) }
        case .pdf:
            guard let path else { throw RenderError("PDF output needs a file path") }
            s = cairo_pdf_surface_create(path, size.width, size.height)
        }
        guard let s, cairo_surface_status(s) == CAIRO_STATUS_SUCCESS else {
            if let s { cairo_surface_destroy(s) }
            throw RenderError("cannot create a \(format.rawValue.uppercased()) surface")
        }
        self.init(surface: s, size: size, format: format, path: path)
    }

    /// A canvas over rows `top ..< top + height` of an image of `size` whose pixels start at
    /// `pixels` (row `top`): it draws in the whole image's coordinates, and only those rows change.
    convenience init(band pixels: UnsafeMutablePointer<UInt8>, stride: Int, width: Int, top: Int, height: Int,
                     of size: Size) throws {
        let s = cairo_image_surface_create_for_data(pixels, CAIRO_FORMAT_ARGB32, Int32(width), Int32(height), Int32(stride))
        guard let s, cairo_surface_status(s) == CAIRO_STATUS_SUCCESS else {
            if let s { cairo_surface_destroy(s) }
            throw RenderError("cannot create an image band")
        }
        self.init(surface: s, size: size, format: .png, path: nil)
        cairo_translate(cr, 0, -Double(top))
    }

    /// Loads the font configuration and the faces maps use (regular, bold, italic) into this
    /// thread's font map, by measuring a few words: about 12 ms that a command can spend while
    /// another core loads its data, before it measures its first label on this thread.
    public static func warmUpFonts(family: String = TextStyle(size: 1).family) {
        guard let canvas = try? CairoCanvas(format: .png, size: Size(1, 1), path: nil) else { return }
        for (weight, italic) in [(TextStyle.Weight.regular, false), (.bold, false), (.regular, true)] {
            _ = canvas.measure("Deir ez-Zor 1,234 km²", TextStyle(family: family, size: 12, weight: weight, italic: italic))
        }
    }

    /// Bytes of an ARGB32 image of `size` as Cairo lays it out (rows of its stride).
    public static func imageByteCount(_ size: Size) -> Int {
        Int(cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, Int32(size.width))) * Int(size.height)
    }

    /// An image canvas over pixels it must never change (a layer mapped read-only from the
    /// cache): only ever painted onto other canvases. `owner` keeps the pixels alive.
    convenience init(readOnlyPixels pixels: UnsafeRawPointer, size: Size, keeping owner: AnyObject) throws {
        let w = Int32(size.width), stride = cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, w)
        let s = cairo_image_surface_create_for_data(UnsafeMutablePointer(mutating: pixels.assumingMemoryBound(to: UInt8.self)),
                                                    CAIRO_FORMAT_ARGB32, w, Int32(size.height), stride)
        guard let s, cairo_surface_status(s) == CAIRO_STATUS_SUCCESS else {
            if let s { cairo_surface_destroy(s) }
            throw RenderError("cannot use a cached layer")
        }
        self.init(surface: s, size: size, format: .png, path: nil)
        retained = owner
    }

    /// Takes ownership of `s`.
    private init(surface s: OpaquePointer, size: Size, format: OutputFormat, path: String?) {
        self.size = size
        self.format = format
        self.path = path
        surface = s
        cr = cairo_create(s)
        layout = pango_cairo_create_layout(cr)
        let options = cairo_font_options_create()
        cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        pango_cairo_context_set_font_options(pango_layout_get_context(layout), options)
        cairo_font_options_destroy(options)
        pango_layout_context_changed(layout)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND)
    }

    deinit {
        for (_, f) in fonts { pango_font_description_free(f) }
        for (_, p) in patterns { cairo_pattern_destroy(p) }
        g_object_unref(UnsafeMutableRawPointer(layout))
        cairo_destroy(cr)
        cairo_surface_destroy(surface)
    }

    /// Completes the image: writes the PNG to `path`, or flushes the SVG/PDF stream.
    public func finish(pngPath: String? = nil) throws {
        let status = cairo_status(cr)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw RenderError("drawing failed: \(String(cString: cairo_status_to_string(status)))")
        }
        switch format {
        case .png:
            guard let target = pngPath ?? path else { throw RenderError("no PNG path") }
            try writeFastPNG(to: target)
        case .svg, .pdf:
            cairo_surface_finish(surface)
            let st = cairo_surface_status(surface)
            guard st == CAIRO_STATUS_SUCCESS else {
                throw RenderError("cannot write \(format.rawValue.uppercased()): \(String(cString: cairo_status_to_string(st)))")
            }
        }
    }

    /// Writes the image as an RGB PNG (maps are opaque), compressed in stripes on every core
    /// (`StripedPNG`).
    public func writeFastPNG(to path: String) throws {
        let png = try StripedPNG(single: self)
        StageTrace.mark("png compressed")
        try png.write(to: path)
    }

    /// RGBA of one pixel of a PNG canvas (for tests).
    public func pixel(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8, a: UInt8)? {
        guard format == .png, x >= 0, y >= 0, x < Int(size.width), y < Int(size.height) else { return nil }
        cairo_surface_flush(surface)
        guard let data = cairo_image_surface_get_data(surface) else { return nil }
        let stride = Int(cairo_image_surface_get_stride(surface))
        let p = data + y * stride + x * 4
        // ARGB32 is native-endian premultiplied: B, G, R, A in memory on little-endian machines;
        // maps are opaque, so premultiplication changes nothing.
        return (p[2], p[1], p[0], p[3])
    }

    private func set(_ p: Paint) { cairo_set_source_rgba(cr, p.rgb.r, p.rgb.g, p.rgb.b, p.alpha) }

    private func addPath(_ rings: [[Point]], closed: Bool) {
        for ring in rings {
            guard let first = ring.first else { continue }
            cairo_move_to(cr, first.x, first.y)
            for p in ring.dropFirst() { cairo_line_to(cr, p.x, p.y) }
            if closed { cairo_close_path(cr) }
        }
    }

    /// Whether `r` (in drawing coordinates) lies wholly outside the pixels this image canvas can
    /// change: a band of a map drawn on several cores skips the labels, dots and lines of the other
    /// bands instead of building and clipping them. Never true for SVG and PDF.
    private func outsideClip(_ r: Rect) -> Bool {
        guard format == .png else { return false }
        var x1 = 0.0, y1 = 0.0, x2 = 0.0, y2 = 0.0
        cairo_clip_extents(cr, &x1, &y1, &x2, &y2)
        return r.maxX < x1 || r.x > x2 || r.maxY < y1 || r.y > y2
    }

    /// Whether every point of `rings`, widened by `pad`, lies outside the clip.
    private func outsideClip(_ rings: [[Point]], pad: Double) -> Bool {
        guard format == .png else { return false }
        var x0 = Double.infinity, y0 = Double.infinity, x1 = -Double.infinity, y1 = -Double.infinity
        for ring in rings {
            for p in ring {
                x0 = min(x0, p.x); x1 = max(x1, p.x); y0 = min(y0, p.y); y1 = max(y1, p.y)
            }
        }
        guard x0 <= x1 else { return true }
        return outsideClip(Rect(x: x0 - pad, y: y0 - pad, width: x1 - x0 + 2 * pad, height: y1 - y0 + 2 * pad))
    }

    public func fill(_ rings: [[Point]], _ paint: Paint) {
        if outsideClip(rings, pad: 1) { return }
        cairo_save(cr)
        cairo_new_path(cr)
        addPath(rings, closed: true)
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD)
        set(paint)
        cairo_fill(cr)
        cairo_restore(cr)
    }

    /// A repeating tile drawn once per pattern on a surface similar to the target, so SVG and
    /// PDF keep vector patterns.
    private func pattern(_ p: FillPattern) -> OpaquePointer {
        if let cached = patterns[p] { return cached }
        let size: Double
        switch p {
        case .hatch(_, let spacing, _): size = max(2, spacing * 2.squareRoot())
        case .stipple(_, let spacing, _): size = max(2, spacing)
        }
        let tile = cairo_surface_create_similar(surface, CAIRO_CONTENT_COLOR_ALPHA, Int32(size.rounded()), Int32(size.rounded()))!
        let s = Double(Int32(size.rounded()))
        let tc = cairo_create(tile)!
        switch p {
        case .hatch(let paint, _, let width):
            cairo_set_source_rgba(tc, paint.rgb.r, paint.rgb.g, paint.rgb.b, paint.alpha)
            cairo_set_line_width(tc, width)
            for x in [-s, 0, s] {
                cairo_move_to(tc, x, s)
                cairo_line_to(tc, x + s, 0)
            }
            cairo_stroke(tc)
        case .stipple(let paint, _, let dot):
            cairo_set_source_rgba(tc, paint.rgb.r, paint.rgb.g, paint.rgb.b, paint.alpha)
            for (x, y) in [(s * 0.25, s * 0.25), (s * 0.75, s * 0.75)] {
                cairo_arc(tc, x, y, dot / 2, 0, 2 * .pi)
                cairo_fill(tc)
            }
        }
        cairo_destroy(tc)
        let pat = cairo_pattern_create_for_surface(tile)!
        cairo_pattern_set_extend(pat, CAIRO_EXTEND_REPEAT)
        cairo_surface_destroy(tile)
        patterns[p] = pat
        return pat
    }

    public func fill(_ rings: [[Point]], pattern p: FillPattern) {
        if outsideClip(rings, pad: 1) { return }
        let pat = pattern(p)
        cairo_save(cr)
        cairo_new_path(cr)
        addPath(rings, closed: true)
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD)
        cairo_set_source(cr, pat)
        cairo_fill(cr)
        cairo_restore(cr)
    }

    public func stroke(_ lines: [[Point]], _ paint: Paint, width: Double, dash: [Double], closed: Bool) {
        if outsideClip(lines, pad: width / 2 + 1) { return }
        cairo_save(cr)
        cairo_new_path(cr)
        addPath(lines, closed: closed)
        set(paint)
        cairo_set_line_width(cr, width)
        if !dash.isEmpty { dash.withUnsafeBufferPointer { cairo_set_dash(cr, $0.baseAddress, Int32($0.count), 0) } }
        cairo_stroke(cr)
        cairo_restore(cr)
    }

    public func fillRect(_ r: Rect, _ paint: Paint) {
        cairo_save(cr)
        cairo_new_path(cr)
        cairo_rectangle(cr, r.x, r.y, r.width, r.height)
        set(paint)
        cairo_fill(cr)
        cairo_restore(cr)
    }

    public func strokeRect(_ r: Rect, _ paint: Paint, width: Double) {
        cairo_save(cr)
        cairo_new_path(cr)
        cairo_rectangle(cr, r.x, r.y, r.width, r.height)
        set(paint)
        cairo_set_line_width(cr, width)
        cairo_stroke(cr)
        cairo_restore(cr)
    }

    public func circle(_ c: Point, radius: Double, fill: Paint, stroke: Paint?, strokeWidth: Double) {
        let reach = radius + (stroke == nil ? 0 : strokeWidth / 2) + 1.5
        if outsideClip(Rect(x: c.x - reach, y: c.y - reach, width: 2 * reach, height: 2 * reach)) { return }
        if let store = sprites {
            sprites = nil
            defer { sprites = store }
            let r = radius + strokeWidth / 2 + 1.5
            if let s = store.sprite(.dot(c, radius: radius, fill: fill, stroke: stroke, strokeWidth: strokeWidth),
                                    bounds: Rect(x: c.x - r, y: c.y - r, width: 2 * r, height: 2 * r), {
                $0.circle(c, radius: radius, fill: fill, stroke: stroke, strokeWidth: strokeWidth)
            }) {
                paint(s)
                return
            }
        }
        // On an image an opaque dot with its outline is two filled discs, the outline's colour
        // under the fill's: the same pixels as fill-then-stroke, at about half the cost, which
        // counts with a thousand towns on a map. SVG and PDF keep a circle with a stroke.
        if format == .png, let stroke, fill.alpha >= 1, strokeWidth < radius {
            cairo_new_path(cr)
            cairo_arc(cr, c.x, c.y, radius + strokeWidth / 2, 0, 2 * .pi)
            set(stroke)
            cairo_fill(cr)
            cairo_arc(cr, c.x, c.y, radius - strokeWidth / 2, 0, 2 * .pi)
            set(fill)
            cairo_fill(cr)
            return
        }
        cairo_save(cr)
        cairo_new_path(cr)
        cairo_arc(cr, c.x, c.y, radius, 0, 2 * .pi)
        set(fill)
        if let stroke {
            cairo_fill_preserve(cr)
            set(stroke)
            cairo_set_line_width(cr, strokeWidth)
            cairo_stroke(cr)
        } else {
            cairo_fill(cr)
        }
        cairo_restore(cr)
    }

    public func clipped(to rings: [[Point]], _ body: () -> Void) {
        cairo_save(cr)
        cairo_new_path(cr)
        addPath(rings, closed: true)
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD)
        cairo_clip(cr)
        body()
        cairo_restore(cr)
    }

    /// Copies another PNG canvas of the same size onto this one: frames reuse a drawn base map.
    public func paint(_ other: CairoCanvas) {
        cairo_surface_flush(other.surface)
        cairo_save(cr)
        cairo_set_source_surface(cr, other.surface, 0, 0)
        cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE)
        cairo_paint(cr)
        cairo_restore(cr)
    }

    public var acceptsRasterLayers: Bool { format == .png }

    /// Paints a layer drawn before (see `RasterLayerCanvas`). The layer is only read, so bands
    /// drawn on several threads may paint the same layer at once (it is flushed when made): each
    /// paint reads its pixels through a surface of its own, because Cairo sets the offset of a
    /// band on the pixman image of a source surface, which threads sharing it would overwrite.
    public func paint(layer: CairoCanvas, over: Bool) {
        guard let pixels = cairo_image_surface_get_data(layer.surface),
              let source = cairo_image_surface_create_for_data(pixels, CAIRO_FORMAT_ARGB32,
                                                               cairo_image_surface_get_width(layer.surface),
                                                               cairo_image_surface_get_height(layer.surface),
                                                               cairo_image_surface_get_stride(layer.surface)) else { return }
        defer { cairo_surface_destroy(source) }
        cairo_save(cr)
        cairo_set_source_surface(cr, source, 0, 0)
        cairo_set_operator(cr, over ? CAIRO_OPERATOR_OVER : CAIRO_OPERATOR_SOURCE)
        cairo_paint(cr)
        cairo_restore(cr)
    }

    /// Ends drawing on this canvas's surface, so that other canvases may read it as a layer.
    func flushForReading() { cairo_surface_flush(surface) }

    public func translated(by offset: Point, clip: Rect, _ body: () -> Void) {
        cairo_save(cr)
        cairo_translate(cr, offset.x, offset.y)
        cairo_new_path(cr)
        cairo_rectangle(cr, clip.x, clip.y, clip.width, clip.height)
        cairo_clip(cr)
        body()
        cairo_restore(cr)
    }

    private func font(_ style: TextStyle) -> OpaquePointer {
        var key = style
        key.colour = .black
        if let f = fonts[key] { return f }
        let f = pango_font_description_new()!
        pango_font_description_set_family(f, style.family)
        pango_font_description_set_absolute_size(f, style.size * 1024)
        pango_font_description_set_weight(f, style.weight == .bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
        if style.italic { pango_font_description_set_style(f, PANGO_STYLE_ITALIC) }
        fonts[key] = f
        return f
    }

    private func prepare(_ text: String, _ style: TextStyle) {
        pango_layout_set_font_description(layout, font(style))
        if style.letterSpacing != 0 {
            let attrs = pango_attr_list_new()
            pango_attr_list_insert(attrs, pango_attr_letter_spacing_new(Int32(style.letterSpacing * 1024)))
            pango_layout_set_attributes(layout, attrs)
            pango_attr_list_unref(attrs)
        } else {
            pango_layout_set_attributes(layout, nil)
        }
        pango_layout_set_text(layout, text, -1)
    }

    public func measure(_ text: String, _ style: TextStyle) -> Size {
        // A map measures most of its texts twice (to lay out its panels, then to draw them).
        let key = MeasuredText(text: text, style: style)
        if let known = measured[key] { return known }
        prepare(text, style)
        var ink = PangoRectangle(), logical = PangoRectangle()
        pango_layout_get_pixel_extents(layout, &ink, &logical)
        let size = Size(Double(logical.width), Double(logical.height))
        measured[key] = size
        return size
    }

    private struct MeasuredText: Hashable {
        let text: String
        let style: TextStyle
    }
    private var measured: [MeasuredText: Size] = [:]

    public func text(_ text: String, _ style: TextStyle, at origin: Point, halo: Halo?) {
        if let store = sprites {
            sprites = nil
            defer { sprites = store }
            // The ink and logical boxes of the text at `origin`, widened by the halo and a margin.
            prepare(text, style)
            var ink = PangoRectangle(), logical = PangoRectangle()
            pango_layout_get_pixel_extents(layout, &ink, &logical)
            let x0 = Double(min(ink.x, logical.x)), y0 = Double(min(ink.y, logical.y))
            let x1 = Double(max(ink.x + ink.width, logical.x + logical.width))
            let y1 = Double(max(ink.y + ink.height, logical.y + logical.height))
            let m = (halo?.width ?? 0) / 2 + 2
            let bounds = Rect(x: origin.x + x0 - m, y: origin.y + y0 - m, width: x1 - x0 + 2 * m, height: y1 - y0 + 2 * m)
            if let s = store.sprite(.text(text, style, origin, halo), bounds: bounds, {
                $0.text(text, style, at: origin, halo: halo)
            }) {
                paint(s)
                return
            }
        }
        prepare(text, style)
        if format == .png {
            var ink = PangoRectangle(), logical = PangoRectangle()
            pango_layout_get_pixel_extents(layout, &ink, &logical)
            let m = (halo?.width ?? 0) / 2 + 2
            if outsideClip(Rect(x: origin.x + Double(ink.x) - m, y: origin.y + Double(ink.y) - m,
                                width: Double(ink.width) + 2 * m, height: Double(ink.height) + 2 * m)) { return }
        }
        cairo_save(cr)
        cairo_new_path(cr)
        cairo_move_to(cr, origin.x, origin.y)
        if let halo {
            pango_cairo_layout_path(cr, layout)
            set(halo.paint)
            cairo_set_line_width(cr, halo.width)
            cairo_stroke(cr)
            cairo_move_to(cr, origin.x, origin.y)
        }
        set(style.colour)
        pango_cairo_show_layout(cr, layout)
        cairo_restore(cr)
    }
}

/// Writes a file through a temporary sibling and renames it into place, so a failed
/// run leaves no partial file and never replaces good output with bad.
public enum AtomicFile {
    /// Checks that `path` can be written: its folder exists and is writable, and it is not a folder.
    public static func checkWritable(_ path: String) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            throw RenderError("\(path) is a folder; give a file name")
        }
        let dir = (path as NSString).deletingLastPathComponent
        let folder = dir.isEmpty ? "." : dir
        guard fm.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw RenderError("cannot write \(path): folder \(folder) does not exist")
        }
        guard fm.isWritableFile(atPath: folder) else {
            throw RenderError("cannot write \(path): folder \(folder) is not writable")
        }
    }

    public static func write(to path: String, _ body: (String) throws -> Void) throws {
        try checkWritable(path)
        let dir = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let tmp = (dir.isEmpty ? "" : dir + "/") + ".\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        do {
            try body(tmp)
            guard rename(tmp, path) == 0 else {
                throw RenderError("cannot write \(path): \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(tmp)
            throw error
        }
    }

    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { tmp in
            guard FileManager.default.createFile(atPath: tmp, contents: data) else {
                throw RenderError("cannot write \(path)")
            }
        }
    }
}
