import Foundation

/// A ring is closed (first == last) as in GeoJSON.
public typealias Ring = [Coordinate]

/// The GeoJSON geometries the tool reads and writes.
public enum GeoGeometry: Hashable, Sendable {
    case point(Coordinate)
    case lineString([Coordinate])
    case multiLineString([[Coordinate]])
    /// Outer ring first, then holes.
    case polygon([Ring])
    case multiPolygon([[Ring]])

    public var polygons: [[Ring]] {
        switch self {
        case .polygon(let p): return [p]
        case .multiPolygon(let m): return m
        default: return []
        }
    }

    public var lines: [[Coordinate]] {
        switch self {
        case .lineString(let l): return [l]
        case .multiLineString(let m): return m
        case .polygon(let p): return p
        case .multiPolygon(let m): return m.flatMap { $0 }
        case .point: return []
        }
    }
}

public struct GeoFeature: Sendable {
    public var geometry: GeoGeometry
    public var properties: [String: String]

    public init(geometry: GeoGeometry, properties: [String: String]) {
        self.geometry = geometry; self.properties = properties
    }

    public subscript(key: String) -> String? { properties[key] }
}

public enum GeoJSON {
    /// Reads a FeatureCollection. Property values are kept as strings (numbers are
    /// formatted); features with a null geometry are skipped.
    public static func readFeatures(path: String, displayName: String) throws -> [GeoFeature] {
        guard let data = FileBytes.read(path) else {
            throw DataProblem(file: displayName, "cannot read the file")
        }
        return try parseFeatures(data, file: displayName)
    }

    public static func parseFeatures(_ data: Data, file: String) throws -> [GeoFeature] {
        // Well-formed files take the typed decoder (a quarter of the time of JSONSerialization,
        // which builds and bridges Foundation objects); anything it refuses is parsed again the
        // general way, which names what is wrong, so both paths accept and refuse the same files.
        if let fast = try? JSONDecoder().decode(TypedCollection.self, from: data), let features = try? fast.geoFeatures() {
            return features
        }
        return try parseGeneral(data, file: file)
    }

    static func parseGeneral(_ data: Data, file: String) throws -> [GeoFeature] {
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data) } catch {
            throw DataProblem(file: file, line: jsonErrorLine(data, error), "not valid JSON")
        }
        guard let obj = root as? [String: Any], obj["type"] as? String == "FeatureCollection",
              let features = obj["features"] as? [Any] else {
            throw DataProblem(file: file, line: 1, "expected a GeoJSON FeatureCollection with a features array")
        }
        var out: [GeoFeature] = []
        out.reserveCapacity(features.count)
        for (i, f) in features.enumerated() {
            guard let feature = f as? [String: Any], feature["type"] as? String == "Feature" else {
                throw DataProblem(file: file, "feature \(i + 1) is not a GeoJSON Feature")
            }
            if feature["geometry"] is NSNull || feature["geometry"] == nil { continue }
            let geometry: GeoGeometry
            do { geometry = try parseGeometry(feature["geometry"]) } catch let m as GeometryMessage {
                throw DataProblem(file: file, "feature \(i + 1): \(m.text)")
            }
            var props: [String: String] = [:]
            if let p = feature["properties"] as? [String: Any] {
                for (k, v) in p {
                    switch v {
                    case let s as String: props[k] = s
                    case let n as NSNumber:
                        props[k] = String(cString: n.objCType) == "c" ? n.stringValue : numberText(n.doubleValue)
                    default: break
                    }
                }
            }
            out.append(GeoFeature(geometry: geometry, properties: props))
        }
        return out
    }

    struct GeometryMessage: Error { let text: String }

    static func parseGeometry(_ any: Any?) throws -> GeoGeometry {
        guard let g = any as? [String: Any], let type = g["type"] as? String else {
            throw GeometryMessage(text: "geometry has no type")
        }
        let c = g["coordinates"]
        switch type {
        case "Point": return .point(try position(c))
        case "LineString": return .lineString(try line(c, minimum: 2))
        case "MultiLineString": return .multiLineString(try array(c).map { try line($0, minimum: 2) })
        case "Polygon": return .polygon(try polygon(c))
        case "MultiPolygon": return .multiPolygon(try array(c).map { try polygon($0) })
        default: throw GeometryMessage(text: "unsupported geometry type \(type)")
        }
    }

    /// A FeatureCollection as the typed decoder reads it: coordinates decoded by their
    /// geometry's type, property values kept as strings (numbers formatted as JSONSerialization
    /// formats them); the checks are the general path's, whose messages it reports.
    struct TypedCollection: Decodable {
        let type: String
        let features: [TypedFeature]

        func geoFeatures() throws -> [GeoFeature] {
            guard type == "FeatureCollection" else { throw GeometryMessage(text: "not a FeatureCollection") }
            return try features.compactMap { f in
                guard f.type == "Feature" else { throw GeometryMessage(text: "not a Feature") }
                guard let g = f.geometry else { return nil }
                return GeoFeature(geometry: try g.checked(), properties: f.properties)
            }
        }
    }

    struct TypedFeature: Decodable {
        let type: String
        let geometry: TypedGeometry?
        let properties: [String: String]

        enum Keys: String, CodingKey { case type, geometry, properties }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            type = try c.decode(String.self, forKey: .type)
            geometry = try c.decodeIfPresent(TypedGeometry.self, forKey: .geometry)
            var props: [String: String] = [:]
            if c.contains(.properties), try !c.decodeNil(forKey: .properties) {
                for (k, v) in try c.decode([String: Scalar].self, forKey: .properties) {
                    if let text = v.text { props[k] = text }
                }
            }
            properties = props
        }
    }

    /// A property value: strings and numbers are kept, other values dropped (as the general path does).
    struct Scalar: Decodable {
        let text: String?
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { text = s }
            else if let d = try? c.decode(Double.self) { text = GeoJSON.numberText(d) }
            else if let b = try? c.decode(Bool.self) { text = NSNumber(value: b).stringValue }
            else { text = nil }
        }
    }

    enum TypedGeometry: Decodable {
        case point([Double]), lineString([[Double]]), multiLineString([[[Double]]])
        case polygon([[[Double]]]), multiPolygon([[[[Double]]]])

        enum Keys: String, CodingKey { case type, coordinates }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            switch try c.decode(String.self, forKey: .type) {
            case "Point": self = .point(try c.decode([Double].self, forKey: .coordinates))
            case "LineString": self = .lineString(try c.decode([[Double]].self, forKey: .coordinates))
            case "MultiLineString": self = .multiLineString(try c.decode([[[Double]]].self, forKey: .coordinates))
            case "Polygon": self = .polygon(try c.decode([[[Double]]].self, forKey: .coordinates))
            case "MultiPolygon": self = .multiPolygon(try c.decode([[[[Double]]]].self, forKey: .coordinates))
            default: throw GeometryMessage(text: "unsupported geometry type")
            }
        }

        func checked() throws -> GeoGeometry {
            switch self {
            case .point(let p): return .point(try GeoJSON.position(p))
            case .lineString(let l): return .lineString(try GeoJSON.line(l.map(GeoJSON.position), minimum: 2))
            case .multiLineString(let m): return .multiLineString(try m.map { try GeoJSON.line($0.map(GeoJSON.position), minimum: 2) })
            case .polygon(let p): return .polygon(try GeoJSON.polygon(p.map { try $0.map(GeoJSON.position) }))
            case .multiPolygon(let m): return .multiPolygon(try m.map { try GeoJSON.polygon($0.map { try $0.map(GeoJSON.position) }) })
            }
        }
    }

    /// A number property as text: whole numbers without a decimal point (`3`, also for `3.0`
    /// and `1e3`), others as Swift prints them (`2.5`).
    static func numberText(_ d: Double) -> String {
        d.rounded() == d && abs(d) < 1e15 ? String(Int(d)) : "\(d)"
    }

    static func position(_ a: [Double]) throws -> Coordinate {
        guard a.count >= 2, a[0].isFinite, a[1].isFinite, (-180...180).contains(a[0]), (-90...90).contains(a[1]) else {
            throw GeometryMessage(text: "a position must be [lon, lat] in degrees")
        }
        return Coordinate(lon: a[0], lat: a[1])
    }

    static func array(_ any: Any?) throws -> [Any] {
        guard let a = any as? [Any] else { throw GeometryMessage(text: "coordinates must be arrays") }
        return a
    }

    static func position(_ any: Any?) throws -> Coordinate {
        guard let a = any as? [Any], a.count >= 2,
              let x = (a[0] as? NSNumber)?.doubleValue, let y = (a[1] as? NSNumber)?.doubleValue,
              x.isFinite, y.isFinite, (-180...180).contains(x), (-90...90).contains(y) else {
            throw GeometryMessage(text: "a position must be [lon, lat] in degrees")
        }
        return Coordinate(lon: x, lat: y)
    }

    static func line(_ any: Any?, minimum: Int) throws -> [Coordinate] {
        try line(try array(any).map(position), minimum: minimum)
    }

    static func line(_ pts: [Coordinate], minimum: Int) throws -> [Coordinate] {
        guard pts.count >= minimum else { throw GeometryMessage(text: "a line needs at least \(minimum) positions") }
        return pts
    }

    static func polygon(_ any: Any?) throws -> [Ring] {
        try polygon(try array(any).map { try line($0, minimum: 4) })
    }

    static func polygon(_ rings: [Ring]) throws -> [Ring] {
        let rings = try rings.map { try line($0, minimum: 4) }
        guard !rings.isEmpty else { throw GeometryMessage(text: "a polygon needs an outer ring") }
        for r in rings where r.first != r.last {
            throw GeometryMessage(text: "a polygon ring must be closed (first position = last)")
        }
        return rings
    }

    static func jsonErrorLine(_ data: Data, _ error: Error) -> Int? {
        let text = "\(error)"
        guard let r = text.range(of: "character ") else { return nil }
        let digits = text[r.upperBound...].prefix { $0.isNumber }
        guard let offset = Int(digits) else { return nil }
        return data.prefix(offset).reduce(1) { $0 + ($1 == 10 ? 1 : 0) }
    }

    // MARK: writing

    /// Decimals of written coordinates: 5 is about a metre.
    public static let defaultDecimals = 5

    public static func format(_ v: Double, decimals: Int = defaultDecimals) -> String {
        String(format: "%.\(decimals)f", v)
    }

    public static func encode(_ geometry: GeoGeometry) -> String {
        func pos(_ c: Coordinate) -> String { "[\(format(c.lon)),\(format(c.lat))]" }
        func line(_ l: [Coordinate]) -> String { "[" + l.map(pos).joined(separator: ",") + "]" }
        func poly(_ p: [Ring]) -> String { "[" + p.map(line).joined(separator: ",") + "]" }
        switch geometry {
        case .point(let c): return "{\"type\":\"Point\",\"coordinates\":\(pos(c))}"
        case .lineString(let l): return "{\"type\":\"LineString\",\"coordinates\":\(line(l))}"
        case .multiLineString(let m): return "{\"type\":\"MultiLineString\",\"coordinates\":[\(m.map(line).joined(separator: ","))]}"
        case .polygon(let p): return "{\"type\":\"Polygon\",\"coordinates\":\(poly(p))}"
        case .multiPolygon(let m): return "{\"type\":\"MultiPolygon\",\"coordinates\":[\(m.map(poly).joined(separator: ","))]}"
        }
    }

    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
