import CPROJ
import FrontlineData

public struct ProjectionError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { "projection error: \(message)" }
}

/// A PROJ transformation from WGS 84 longitude/latitude (degrees) to a projected CRS.
/// Owns its PROJ context, so one instance must not be used from two threads at once.
public final class Projection {
    public let definition: String
    private let context: OpaquePointer
    private let pj: OpaquePointer

    /// Lambert azimuthal equal-area centred on the region: areas in m² are true, and
    /// shapes at the scale of Iraq and Syria look as readers expect.
    public static func regionalEqualArea(centre: Coordinate = Coordinate(lon: 41.5, lat: 33.75)) throws -> Projection {
        try Projection("+proj=laea +lat_0=\(centre.lat) +lon_0=\(centre.lon) +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs")
    }

    public init(_ projString: String) throws {
        definition = projString
        let pipeline = "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step " + projString
        // A projection given as a PROJ string needs neither PROJ's database nor its grids, but
        // proj_create opens the database (proj.db, SQLite) to describe the result: a quarter of
        // the start of a `render`. So the first attempt uses a context that finds no database
        // (and logs nothing); a definition that does need it is created again with the defaults.
        if let ctx = proj_context_create() {
            proj_log_level(ctx, PJ_LOG_NONE)
            proj_log_func(ctx, nil) { _, _, _ in }
            let nowhere = "/nonexistent/frontline-no-proj-db"
            nowhere.withCString { path in
                var paths: [UnsafePointer<CChar>?] = [path]
                proj_context_set_search_paths(ctx, 1, &paths)
            }
            if let p = proj_create(ctx, pipeline) {
                context = ctx
                pj = p
                return
            }
            proj_context_destroy(ctx)
        }
        guard let ctx = proj_context_create() else { throw ProjectionError(message: "cannot create PROJ context") }
        guard let p = proj_create(ctx, pipeline) else {
            let msg = String(cString: proj_context_errno_string(ctx, proj_context_errno(ctx)))
            proj_context_destroy(ctx)
            throw ProjectionError(message: "\(projString): \(msg)")
        }
        context = ctx
        pj = p
    }

    deinit {
        proj_destroy(pj)
        proj_context_destroy(context)
    }

    public func forward(_ c: Coordinate) -> XY { forward([c])[0] }

    /// Projects many coordinates in one PROJ call.
    public func forward(_ coords: [Coordinate]) -> [XY] { transform(coords.map { XY($0.lon, $0.lat) }, PJ_FWD) }

    public func inverse(_ pts: [XY]) -> [Coordinate] {
        transform(pts, PJ_INV).map { Coordinate(lon: $0.x, lat: $0.y) }
    }

    private func transform(_ input: [XY], _ direction: PJ_DIRECTION) -> [XY] {
        var xs = input.map(\.x), ys = input.map(\.y)
        let n = input.count
        xs.withUnsafeMutableBufferPointer { xb in
            ys.withUnsafeMutableBufferPointer { yb in
                _ = proj_trans_generic(pj, direction,
                                       xb.baseAddress, MemoryLayout<Double>.stride, n,
                                       yb.baseAddress, MemoryLayout<Double>.stride, n,
                                       nil, 0, 0, nil, 0, 0)
            }
        }
        return zip(xs, ys).map { XY($0, $1) }
    }

    public func forward(polygon rings: [Ring]) -> PolygonXY { rings.map { forward($0) } }
}
