import Foundation
import FrontlineData
import FrontlineRender
import Hummingbird

/// The query string of an API request, read strictly: a parameter the endpoint does not know, a
/// repeated one, or a value that does not parse is a 400 naming the parameter. Nothing read here
/// ever becomes part of a file path.
struct Query {
    let values: [String: String]

    init(_ request: Request, allowed: Set<String>) throws {
        var values: [String: String] = [:]
        for (key, value) in request.uri.queryParameters {
            let k = String(key)
            guard allowed.contains(k) else {
                throw APIError.badRequest("unknown parameter '\(k)'; this endpoint takes \(allowed.sorted().joined(separator: ", "))", parameter: k)
            }
            guard values[k] == nil else { throw APIError.badRequest("parameter '\(k)' is given twice", parameter: k) }
            values[k] = String(value)
        }
        self.values = values
    }

    subscript(name: String) -> String? { values[name] }

    func required(_ name: String) throws -> String {
        guard let v = values[name], !v.isEmpty else { throw APIError.badRequest("missing parameter '\(name)'", parameter: name) }
        return v
    }

    /// A day the data covers.
    func day(_ name: String, dataset: Dataset) throws -> Day {
        let text = try required(name)
        let day: Day
        do { day = try Day(iso: text) } catch {
            throw APIError.badRequest("'\(text)' is not a date: \(error)", parameter: name)
        }
        do { try dataset.checkCovered(day) } catch {
            throw APIError.badRequest("\(error)", parameter: name)
        }
        return day
    }

    func optionalDay(_ name: String, dataset: Dataset) throws -> Day? {
        values[name] == nil ? nil : try day(name, dataset: dataset)
    }

    /// `all`, `iraq`, `syria` or `minlon,minlat,maxlon,maxlat` overlapping the data's region.
    func region(dataset: Dataset) throws -> MapRegion {
        guard let text = values["region"] else { return .all }
        guard let region = MapRegion(parsing: text) else {
            throw APIError.badRequest("region '\(text)' must be all, iraq, syria or minlon,minlat,maxlon,maxlat with min < max", parameter: "region")
        }
        if case .box(let b) = region {
            let data = MapRegion.all.box
            let width = b.maxLon - b.minLon, height = b.maxLat - b.minLat
            guard width >= 0.05, height >= 0.05 else {
                throw APIError.badRequest("region \(text) is too small: at least 0.05° each way", parameter: "region")
            }
            guard width <= 60, height <= 40 else {
                throw APIError.badRequest("region \(text) is too large: at most 60° by 40°", parameter: "region")
            }
            guard b.maxLon > data.minLon, b.minLon < data.maxLon, b.maxLat > data.minLat, b.minLat < data.maxLat else {
                throw APIError.badRequest("region \(text) lies outside the mapped area \(data)", parameter: "region")
            }
        }
        return region
    }

    /// `WIDTHxHEIGHT`, at most 16 megapixels.
    func size(default text: String) throws -> Size {
        let raw = values["size"] ?? text
        let size: Size
        do { size = try parseImageSize(raw) } catch {
            throw APIError.badRequest("\(error)", parameter: "size")
        }
        guard size.width * size.height <= 4096 * 4096 else {
            throw APIError.badRequest("size \(raw) is too large: at most 16 megapixels", parameter: "size")
        }
        return size
    }

    func format() throws -> OutputFormat {
        let text = values["format"] ?? "png"
        guard let f = OutputFormat(rawValue: text) else {
            throw APIError.badRequest("format '\(text)' is not one of png, svg, pdf", parameter: "format")
        }
        return f
    }

    func theme(dataset: Dataset) throws -> String {
        let text = values["theme"] ?? "wikipedia"
        guard dataset.factions.themes.contains(text) else {
            throw APIError.badRequest("theme '\(text)' is not one of \(dataset.factions.themes.joined(separator: ", "))", parameter: "theme")
        }
        return text
    }

    /// `panels=all` (the default: title and legend drawn on the map) or `none`.
    func bare() throws -> Bool {
        switch values["panels"] ?? "all" {
        case "all": return false
        case "none": return true
        case let text: throw APIError.badRequest("panels '\(text)' is not one of all, none", parameter: "panels")
        }
    }

    func labels() throws -> LabelLanguage {
        let text = values["labels"] ?? "en"
        guard let l = LabelLanguage(rawValue: text) else {
            throw APIError.badRequest("labels '\(text)' is not one of en, ar, both", parameter: "labels")
        }
        return l
    }
}
