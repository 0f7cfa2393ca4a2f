import CGEOS

/// A point in projected map coordinates (metres on the regional equal-area projection).
public struct XY: Hashable, Sendable {
    public var x: Double
    public var y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
}

/// Polygon rings in projected coordinates: outer ring first, then holes; each ring closed.
public typealias PolygonXY = [[XY]]

public struct GeometryError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { "geometry error: \(message)" }
}

/// One GEOS context (the reentrant `_r` API). GEOS contexts are not thread-safe, so
/// each thread of work owns its own; every `Geometry` keeps its context alive.
public final class GEOSContext {
    let handle: OpaquePointer
    private let messages: MessageBox

    final class MessageBox { var last: String? }

    public init() {
        handle = GEOS_init_r()
        messages = MessageBox()
        let box = Unmanaged.passUnretained(messages).toOpaque()
        GEOSContext_setErrorMessageHandler_r(handle, { message, userdata in
            guard let userdata, let message else { return }
            Unmanaged<MessageBox>.fromOpaque(userdata).takeUnretainedValue().last = String(cString: message)
        }, box)
    }

    deinit { GEOS_finish_r(handle) }

    /// Wraps a GEOS result, turning NULL into a thrown error carrying GEOS's own message.
    func wrap(_ pointer: OpaquePointer?, _ what: String) throws -> Geometry {
        guard let pointer else {
            let m = messages.last ?? "unknown failure"
            messages.last = nil
            throw GeometryError(message: "\(what): \(m)")
        }
        return Geometry(context: self, handle: pointer)
    }

    // MARK: building geometries from Swift values

    func coordSeq(_ pts: [XY]) throws -> OpaquePointer {
        var flat = [Double]()
        flat.reserveCapacity(pts.count * 2)
        for p in pts { flat.append(p.x); flat.append(p.y) }
        guard let seq = flat.withUnsafeBufferPointer({
            GEOSCoordSeq_copyFromBuffer_r(handle, $0.baseAddress, UInt32(pts.count), 0, 0)
        }) else { throw GeometryError(message: "cannot create coordinates") }
        return seq
    }

    func ring(_ pts: [XY]) throws -> OpaquePointer {
        var closed = pts
        if let f = closed.first, closed.last != f { closed.append(f) }
        guard closed.count >= 4 else { throw GeometryError(message: "a ring needs at least 3 distinct points") }
        let seq = try coordSeq(closed)
        guard let r = GEOSGeom_createLinearRing_r(handle, seq) else {
            throw GeometryError(message: "invalid ring")
        }
        return r
    }

    func rawPolygon(_ rings: PolygonXY) throws -> OpaquePointer {
        guard let outer = rings.first else { throw GeometryError(message: "empty polygon") }
        let shell = try ring(outer)
        var holes: [OpaquePointer?] = []
        for h in rings.dropFirst() { if h.count >= 3 { holes.append(try ring(h)) } }
        let p = holes.withUnsafeMutableBufferPointer {
            GEOSGeom_createPolygon_r(handle, shell, $0.baseAddress, UInt32($0.count))
        }
        guard let p else { throw GeometryError(message: "invalid polygon") }
        return p
    }

    public func polygon(_ rings: PolygonXY) throws -> Geometry {
        try wrap(try rawPolygon(rings), "polygon")
    }

    /// A MultiPolygon, repaired with MakeValid when the input rings are not valid.
    public func multiPolygon(_ polygons: [PolygonXY], repair: Bool = true) throws -> Geometry {
        var parts: [OpaquePointer?] = []
        for p in polygons where (p.first?.count ?? 0) >= 4 { parts.append(try rawPolygon(p)) }
        let g = try collection(type: Int32(GEOS_MULTIPOLYGON.rawValue), parts)
        return repair && !g.isValid ? try g.makeValid() : g
    }

    /// A MultiLineString of the given polylines (each of at least two points).
    public func multiLineString(_ lines: [[XY]]) throws -> Geometry {
        var parts: [OpaquePointer?] = []
        for l in lines where l.count >= 2 {
            guard let g = GEOSGeom_createLineString_r(handle, try coordSeq(l)) else {
                throw GeometryError(message: "invalid line")
            }
            parts.append(g)
        }
        return try collection(type: Int32(GEOS_MULTILINESTRING.rawValue), parts)
    }

    public func point(_ p: XY) throws -> Geometry {
        try wrap(GEOSGeom_createPointFromXY_r(handle, p.x, p.y), "point")
    }

    public func multiPoint(_ pts: [XY]) throws -> Geometry {
        var parts: [OpaquePointer?] = []
        for p in pts { parts.append(GEOSGeom_createPointFromXY_r(handle, p.x, p.y)) }
        return try collection(type: Int32(GEOS_MULTIPOINT.rawValue), parts)
    }

    /// Takes ownership of `parts`.
    func collection(type: Int32, _ parts: [OpaquePointer?]) throws -> Geometry {
        var parts = parts
        let g = parts.withUnsafeMutableBufferPointer {
            GEOSGeom_createCollection_r(handle, type, $0.baseAddress, UInt32($0.count))
        }
        return try wrap(g, "collection")
    }

    /// Reads a geometry from well-known binary, as `Geometry.wkb()` writes it (coordinates exact).
    public func geometry(wkb bytes: [UInt8]) throws -> Geometry {
        guard let reader = GEOSWKBReader_create_r(handle) else { throw GeometryError(message: "cannot create a WKB reader") }
        defer { GEOSWKBReader_destroy_r(handle, reader) }
        let g = bytes.withUnsafeBufferPointer { GEOSWKBReader_read_r(handle, reader, $0.baseAddress, $0.count) }
        return try wrap(g, "reading WKB")
    }

    /// A GeometryCollection of clones of `geometries`, for unary union.
    public func collection(of geometries: [Geometry]) throws -> Geometry {
        try collection(type: Int32(GEOS_GEOMETRYCOLLECTION.rawValue),
                       geometries.map { GEOSGeom_clone_r(handle, $0.handle) })
    }

    public func union(_ geometries: [Geometry]) throws -> Geometry {
        if geometries.count == 1 { return geometries[0] }
        return try collection(of: geometries).unaryUnion()
    }

    /// The faces that the (noded) lines of `lines` enclose, as polygons.
    public func polygonize(_ lines: Geometry) throws -> [Geometry] {
        let noded = try lines.unaryUnion()
        var handles: [OpaquePointer?] = [noded.handle]
        let g = handles.withUnsafeMutableBufferPointer { GEOSPolygonize_r(handle, $0.baseAddress, 1) }
        return try wrap(g, "polygonize").parts
    }

    /// Union of polygons that tile without overlapping (a coverage, such as Voronoi cells
    /// snapped to one grid): much faster than a general union. Falls back to the general
    /// union if the result is not valid.
    public func coverageUnion(_ geometries: [Geometry]) throws -> Geometry {
        if geometries.count == 1 { return geometries[0] }
        let c = try collection(of: geometries)
        if let g = GEOSCoverageUnion_r(handle, c.handle) {
            let result = Geometry(context: self, handle: g)
            if result.isValid { return result }
        }
        return try c.unaryUnion()
    }


}

/// An owned GEOS geometry. Freed in `deinit`; never shared across threads.
public final class Geometry {
    public let context: GEOSContext
    let handle: OpaquePointer

    init(context: GEOSContext, handle: OpaquePointer) {
        self.context = context; self.handle = handle
    }

    deinit { GEOSGeom_destroy_r(context.handle, handle) }

    private var ctx: OpaquePointer { context.handle }

    public func intersection(_ other: Geometry) throws -> Geometry {
        try context.wrap(GEOSIntersection_r(ctx, handle, other.handle), "intersection")
    }
    public func difference(_ other: Geometry) throws -> Geometry {
        try context.wrap(GEOSDifference_r(ctx, handle, other.handle), "difference")
    }
    public func unaryUnion() throws -> Geometry {
        try context.wrap(GEOSUnaryUnion_r(ctx, handle), "union")
    }
    public func makeValid() throws -> Geometry {
        try context.wrap(GEOSMakeValid_r(ctx, handle), "make valid")
    }
    public func buffer(_ distance: Double, quadrantSegments: Int32 = 8) throws -> Geometry {
        try context.wrap(GEOSBuffer_r(ctx, handle, distance, quadrantSegments), "buffer")
    }
    /// A buffer with flat ends: a line becomes a strip that stops square at its end points.
    public func bufferFlatEnds(_ distance: Double, quadrantSegments: Int32 = 8) throws -> Geometry {
        try context.wrap(GEOSBufferWithStyle_r(ctx, handle, distance, quadrantSegments,
                                               Int32(GEOSBUF_CAP_FLAT.rawValue), Int32(GEOSBUF_JOIN_ROUND.rawValue), 5),
                         "buffer")
    }
    /// The geometry snapped to a grid of `gridSize` units, kept valid.
    public func snapped(toGrid gridSize: Double) throws -> Geometry {
        try context.wrap(GEOSGeom_setPrecision_r(ctx, handle, gridSize, 0), "precision")
    }
    public func boundary() throws -> Geometry {
        try context.wrap(GEOSBoundary_r(ctx, handle), "boundary")
    }
    public func pointOnSurface() throws -> Geometry {
        try context.wrap(GEOSPointOnSurface_r(ctx, handle), "point on surface")
    }
    public func envelope() throws -> Geometry {
        try context.wrap(GEOSEnvelope_r(ctx, handle), "envelope")
    }
    /// Voronoi cells of the points of this geometry, extended to cover `envelope`.
    public func voronoiCells(envelope: Geometry?) throws -> Geometry {
        try context.wrap(GEOSVoronoiDiagram_r(ctx, handle, envelope?.handle, 0, 0), "voronoi")
    }

    /// The edges of the Delaunay triangulation of this geometry's points, as a MultiLineString.
    public func delaunayEdges() throws -> Geometry {
        try context.wrap(GEOSDelaunayTriangulation_r(ctx, handle, 0, 1), "delaunay")
    }
    /// The end points of every line of a (Multi)LineString, one pair per line.
    public var lineEndpoints: [(XY, XY)] {
        parts.compactMap { p in
            let c = p.coordinates(of: p.handle)
            guard let a = c.first, let b = c.last else { return nil }
            return (a, b)
        }
    }

    public var area: Double {
        var a = 0.0
        return GEOSArea_r(ctx, handle, &a) == 1 ? a : 0
    }
    public var isEmpty: Bool { GEOSisEmpty_r(ctx, handle) == 1 }
    public var isValid: Bool { GEOSisValid_r(ctx, handle) == 1 }
    public var typeID: Int32 { GEOSGeomTypeId_r(ctx, handle) }

    public func contains(_ other: Geometry) -> Bool { GEOSContains_r(ctx, handle, other.handle) == 1 }
    public func intersects(_ other: Geometry) -> Bool { GEOSIntersects_r(ctx, handle, other.handle) == 1 }
    public func distance(to other: Geometry) -> Double {
        var d = 0.0
        return GEOSDistance_r(ctx, handle, other.handle, &d) == 1 ? d : .infinity
    }

    public var bounds: (min: XY, max: XY)? {
        if isEmpty { return nil }
        var x0 = 0.0, y0 = 0.0, x1 = 0.0, y1 = 0.0
        GEOSGeom_getXMin_r(ctx, handle, &x0); GEOSGeom_getYMin_r(ctx, handle, &y0)
        GEOSGeom_getXMax_r(ctx, handle, &x1); GEOSGeom_getYMax_r(ctx, handle, &y1)
        return (XY(x0, y0), XY(x1, y1))
    }

    /// Sub-geometries of a collection; a single geometry yields itself.
    public var parts: [Geometry] {
        let n = GEOSGetNumGeometries_r(ctx, handle)
        if n <= 1 && typeID != Int32(GEOS_GEOMETRYCOLLECTION.rawValue) && typeID != Int32(GEOS_MULTIPOLYGON.rawValue) {
            return [self]
        }
        return (0..<max(n, 0)).compactMap { i in
            guard let sub = GEOSGetGeometryN_r(ctx, handle, i), let copy = GEOSGeom_clone_r(ctx, sub) else { return nil }
            return Geometry(context: context, handle: copy)
        }
    }

    /// The polygons of this geometry as Swift values; lines and points are ignored.
    public var polygons: [PolygonXY] {
        var out: [PolygonXY] = []
        collectPolygons(handle, into: &out)
        return out
    }

    private func collectPolygons(_ g: OpaquePointer, into out: inout [PolygonXY]) {
        let type = GEOSGeomTypeId_r(ctx, g)
        if type == Int32(GEOS_POLYGON.rawValue) {
            if GEOSisEmpty_r(ctx, g) == 1 { return }
            var rings: PolygonXY = []
            if let ext = GEOSGetExteriorRing_r(ctx, g) { rings.append(coordinates(of: ext)) }
            let n = GEOSGetNumInteriorRings_r(ctx, g)
            for i in 0..<max(n, 0) {
                if let r = GEOSGetInteriorRingN_r(ctx, g, i) { rings.append(coordinates(of: r)) }
            }
            out.append(rings)
        } else if type == Int32(GEOS_MULTIPOLYGON.rawValue) || type == Int32(GEOS_GEOMETRYCOLLECTION.rawValue) {
            let n = GEOSGetNumGeometries_r(ctx, g)
            for i in 0..<max(n, 0) {
                if let sub = GEOSGetGeometryN_r(ctx, g, i) { collectPolygons(sub, into: &out) }
            }
        }
    }

    /// Coordinates of a line, ring or point.
    func coordinates(of g: OpaquePointer) -> [XY] {
        guard let seq = GEOSGeom_getCoordSeq_r(ctx, g) else { return [] }
        var size: UInt32 = 0
        GEOSCoordSeq_getSize_r(ctx, seq, &size)
        var flat = [Double](repeating: 0, count: Int(size) * 2)
        flat.withUnsafeMutableBufferPointer { _ = GEOSCoordSeq_copyToBuffer_r(ctx, seq, $0.baseAddress, 0, 0) }
        return (0..<Int(size)).map { XY(flat[2 * $0], flat[2 * $0 + 1]) }
    }

    /// The geometry as well-known binary (ISO/OGC WKB, 2D): compact, with coordinates exact.
    public func wkb() throws -> [UInt8] {
        guard let writer = GEOSWKBWriter_create_r(ctx) else { throw GeometryError(message: "cannot create a WKB writer") }
        defer { GEOSWKBWriter_destroy_r(ctx, writer) }
        var size = 0
        guard let buffer = GEOSWKBWriter_write_r(ctx, writer, handle, &size) else {
            throw GeometryError(message: "cannot write WKB")
        }
        defer { GEOSFree_r(ctx, buffer) }
        return Array(UnsafeBufferPointer(start: buffer, count: size))
    }

    /// A prepared copy for many fast `contains` tests.
    public func prepared() -> PreparedGeometry { PreparedGeometry(self) }
}

/// A GEOS prepared geometry: indexes its source for repeated predicates.
public final class PreparedGeometry {
    let source: Geometry
    let handle: OpaquePointer

    init(_ g: Geometry) {
        source = g
        handle = GEOSPrepare_r(g.context.handle, g.handle)
    }

    deinit { GEOSPreparedGeom_destroy_r(source.context.handle, handle) }

    public func contains(_ g: Geometry) -> Bool { GEOSPreparedContains_r(source.context.handle, handle, g.handle) == 1 }
    public func intersects(_ g: Geometry) -> Bool { GEOSPreparedIntersects_r(source.context.handle, handle, g.handle) == 1 }
}
