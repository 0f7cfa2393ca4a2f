import FrontlineData
import FrontlineGeometry

/// The area a map shows.
public enum MapRegion: Hashable, Sendable, CustomStringConvertible {
    case all, iraq, syria
    case box(GeoBox)

    public init?(parsing text: String) {
        switch text.lowercased() {
        case "all": self = .all
        case "iraq": self = .iraq
        case "syria": self = .syria
        default:
            guard let b = GeoBox(parsing: text) else { return nil }
            self = .box(b)
        }
    }

    public var box: GeoBox {
        switch self {
        case .all: return GeoBox(minLon: 35.2, minLat: 29.0, maxLon: 48.9, maxLat: 37.9)
        case .iraq: return GeoBox(minLon: 38.6, minLat: 29.0, maxLon: 48.8, maxLat: 37.5)
        case .syria: return GeoBox(minLon: 35.4, minLat: 32.2, maxLon: 42.6, maxLat: 37.4)
        case .box(let b): return b
        }
    }

    public var description: String {
        switch self {
        case .all: return "all"
        case .iraq: return "iraq"
        case .syria: return "syria"
        case .box(let b): return b.description
        }
    }
}

/// Maps projected metres to pixels: the requested region fitted into the canvas,
/// centred, with north up. Every frame of an animation shares one `MapFrame`.
public struct MapFrame: Sendable {
    public let size: Size
    public let scale: Double       // pixels per metre
    public let origin: XY          // projected point at pixel (0, 0)

    public init(region: GeoBox, size: Size, projection: Projection) {
        var samples: [Coordinate] = []
        for i in 0...20 {
            let t = Double(i) / 20
            let lon = region.minLon + (region.maxLon - region.minLon) * t
            let lat = region.minLat + (region.maxLat - region.minLat) * t
            samples += [Coordinate(lon: lon, lat: region.minLat), Coordinate(lon: lon, lat: region.maxLat),
                        Coordinate(lon: region.minLon, lat: lat), Coordinate(lon: region.maxLon, lat: lat)]
        }
        let pts = projection.forward(samples)
        let minX = pts.map(\.x).min()!, maxX = pts.map(\.x).max()!
        let minY = pts.map(\.y).min()!, maxY = pts.map(\.y).max()!
        let s = min(size.width / (maxX - minX), size.height / (maxY - minY))
        self.size = size
        scale = s
        let cx = (minX + maxX) / 2, cy = (minY + maxY) / 2
        origin = XY(cx - size.width / 2 / s, cy + size.height / 2 / s)
    }

    @inline(__always) public func point(_ p: XY) -> Point {
        Point((p.x - origin.x) * scale, (origin.y - p.y) * scale)
    }

    public func points(_ ring: [XY]) -> [Point] { ring.map(point) }

    /// Rings of the polygons, dropping rings smaller than a quarter pixel and points closer than
    /// `tolerance` pixels to the previous one, to keep SVG and PDF files light.
    public func rings(_ polygons: [PolygonXY], tolerance: Double = 0.35) -> [[Point]] {
        var out: [[Point]] = []
        for poly in polygons {
            for ring in poly {
                let pts = thin(points(ring), tolerance)
                if pts.count >= 3 { out.append(pts) }
            }
        }
        return out
    }

    public func lines(_ lines: [[XY]], tolerance: Double = 0.35) -> [[Point]] {
        lines.map { thin(points($0), tolerance) }.filter { $0.count >= 2 }
    }

    func thin(_ pts: [Point], _ tol: Double) -> [Point] {
        guard pts.count > 2 else { return pts }
        var out = [pts[0]]
        out.reserveCapacity(pts.count)
        let t2 = tol * tol
        for p in pts.dropFirst().dropLast() {
            let q = out[out.count - 1]
            let dx = p.x - q.x, dy = p.y - q.y
            if dx * dx + dy * dy >= t2 { out.append(p) }
        }
        out.append(pts[pts.count - 1])
        return out
    }

    /// Metres on the ground per pixel at the centre of the map.
    public var metresPerPixel: Double { 1 / scale }
}
