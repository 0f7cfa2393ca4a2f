import CCairo
import CPNG
import Foundation
import FrontlineData
import FrontlineGeometry

/// Maps drawn into memory rather than to a file, for the server.
extension CairoCanvas {
    /// The image as an RGB PNG (see `StripedPNG`), in memory.
    public func fastPNGData() throws -> Data { try StripedPNG(single: self).data() }

    /// The pixels of an image canvas (Cairo's ARGB32, native-endian) and its row stride.
    func imageData() throws -> (UnsafeMutablePointer<UInt8>, Int) {
        guard format == .png else { throw RenderError("PNG needs an image canvas") }
        cairo_surface_flush(surface)
        guard let pixels = cairo_image_surface_get_data(surface) else { throw RenderError("no image data") }
        return (pixels, Int(cairo_image_surface_get_stride(surface)))
    }
}

extension MapRenderer {
    /// Where each place of the gazetteer falls on this map, in pixels from the top left.
    public var placePositions: [String: Point] { placePixels }

    /// The longitude/latitude of a pixel of this map. Uses the renderer's projection, so call it
    /// from the thread that owns the renderer's projection.
    public func coordinate(atPixel p: Point) -> Coordinate {
        projection.inverse([XY(frame.origin.x + p.x / frame.scale, frame.origin.y - p.y / frame.scale)])[0]
    }

    /// The box of longitudes and latitudes the image shows, read at the middle of its edges
    /// (the map is fitted to the requested region, so one side shows more than was asked).
    public func visibleBox() -> GeoBox {
        let w = options.size.width, h = options.size.height - options.reservedBottom
        let left = coordinate(atPixel: Point(0, h / 2)), right = coordinate(atPixel: Point(w, h / 2))
        let top = coordinate(atPixel: Point(w / 2, 0)), bottom = coordinate(atPixel: Point(w / 2, h))
        return GeoBox(minLon: left.lon, minLat: bottom.lat, maxLon: right.lon, maxLat: top.lat)
    }

    /// The map without its title, on an image canvas, for a renderer made with `deferTitle`: many
    /// days of one snapshot share it, each adding only its title (`datedPNG`).
    public func undatedImage(territory: Territory, snapshot: ControlSnapshot) throws -> CairoCanvas {
        let canvas = try CairoCanvas(format: .png, size: options.size, path: nil)
        draw(territory: territory, snapshot: snapshot, on: canvas)
        return canvas
    }

    /// A copy of `base` with the title of `day`, encoded as PNG.
    public func datedPNG(_ base: CairoCanvas, day: Day) throws -> Data {
        let canvas = try CairoCanvas(format: .png, size: options.size, path: nil)
        canvas.paint(base)
        if options.deferTitle { drawTitle(for: day, on: canvas) }
        return try canvas.fastPNGData()
    }

    /// The whole map as PNG, SVG or PDF bytes. SVG and PDF stream through a temporary file in
    /// `scratch` (a folder the caller owns), removed afterwards.
    public func image(territory: Territory, snapshot: ControlSnapshot, format: OutputFormat, scratch: String) throws -> Data {
        if format == .png { return try datedPNG(try undatedImage(territory: territory, snapshot: snapshot), day: snapshot.day) }
        return try Self.throughFile(format: format, scratch: scratch) { path in
            try write(territory: territory, snapshot: snapshot, to: path) { canvas in
                if self.options.deferTitle { self.drawTitle(for: snapshot.day, on: canvas) }
            }
        }
    }

    /// The change map (see `drawChange`) as PNG, SVG or PDF bytes.
    public func changeImage(_ comparison: Comparison, format: OutputFormat, scratch: String) throws -> Data {
        if format == .png {
            let canvas = try CairoCanvas(format: .png, size: options.size, path: nil)
            drawChange(comparison, on: canvas)
            return try canvas.fastPNGData()
        }
        return try Self.throughFile(format: format, scratch: scratch) { path in
            try writeChange(comparison, layout: .single, to: path)
        }
    }

    static func throughFile(format: OutputFormat, scratch: String, _ write: (String) throws -> Void) throws -> Data {
        let path = scratch + "/" + UUID().uuidString + "." + format.rawValue
        defer { unlink(path) }
        try write(path)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }
}
