import Foundation
import FrontlineData
import FrontlineGeometry

extension MapRenderer {
    /// Draws the map and writes it to `path` (PNG, SVG or PDF by extension) atomically.
    public func write(territory: Territory, snapshot: ControlSnapshot, to path: String,
                      extra: ((Canvas) -> Void)? = nil) throws {
        guard let format = OutputFormat(path: path) else {
            throw RenderError("cannot write \(path): unsupported file type; use .png, .svg or .pdf")
        }
        try AtomicFile.write(to: path) { tmp in
            let canvas = try CairoCanvas(format: format, size: options.size, path: tmp)
            let bands = CairoCanvas.bandCount(height: options.size.height)
            if format == .png && bands > 1 {
                // Laid out once, then drawn in horizontal bands on every core; each band is
                // compressed as a stripe of the PNG by the core that drew it, as soon as it is drawn.
                let drawing = DeferredCanvas(measuringWith: canvas)
                draw(territory: territory, snapshot: snapshot, on: drawing)
                extra?(drawing)
                StageTrace.mark("laid out")
                let (pixels, stride) = try canvas.imageData()
                let width = Int(options.size.width)
                let stripes = ResultSlots<StripedPNG.Stripe>(bands)
                try canvas.drawInBands(drawing, bands: bands) { band, top, bottom in
                    stripes.set(band, StripedPNG.compressRows(pixels, stride: stride, width: width, top: top, bottom: bottom,
                                                              last: band == bands - 1))
                }
                StageTrace.mark("drawn and compressed in bands")
                try StripedPNG(width: width, height: Int(options.size.height), stripes: stripes.values.map { $0! }).write(to: tmp)
                return
            } else {
                draw(territory: territory, snapshot: snapshot, on: canvas)
                extra?(canvas)
            }
            try canvas.finish(pngPath: tmp)
        }
    }
}

/// Parses `1600x1200`, rejecting sizes too small to draw a map on or too large to allocate.
public func parseImageSize(_ text: String) throws -> Size {
    let parts = text.lowercased().split(separator: "x")
    guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]) else {
        throw RenderError("size '\(text)' must be WIDTHxHEIGHT in pixels, like 1600x1200")
    }
    guard (320...10000).contains(w), (240...10000).contains(h) else {
        throw RenderError("size \(w)x\(h) is out of range: width 320…10000 and height 240…10000 pixels")
    }
    return Size(Double(w), Double(h))
}
