import Foundation
import FrontlineData
import Hummingbird

/// `/api/stats`, `/api/compare` and `/api/territory`: the very bytes `frontline stats --format
/// json`, `compare --report x.json` and `export` write, from the same library functions; and
/// `/api/meta`, what the page needs to know of the data.
struct ReportsController {
    let service: MapService
    var answer: CachedAnswer { CachedAnswer(service: service) }

    func addRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.get("stats") { request, _ in
            let day = try Query(request, allowed: ["date"]).day("date", dataset: service.dataset)
            return try await answer.respond(request, key: "stats|\(day)", contentType: jsonType) {
                Data(json: try await service.statsJSON(day))
            }
        }
        group.get("compare") { request, _ in
            let q = try Query(request, allowed: ["from", "to"])
            let from = try q.day("from", dataset: service.dataset), to = try q.day("to", dataset: service.dataset)
            return try await answer.respond(request, key: "compare|\(from)|\(to)", contentType: jsonType) {
                Data(json: try await service.compareJSON(from: from, to: to))
            }
        }
        group.get("territory") { request, _ in
            let day = try Query(request, allowed: ["date"]).day("date", dataset: service.dataset)
            var response = try await answer.respond(request, key: "territory|\(day)", contentType: "application/geo+json") {
                try await service.territoryGeoJSON(day)
            }
            response.headers[.contentDisposition] = "inline; filename=\"frontline-territory-\(day).geojson\""
            return response
        }
        group.get("meta") { request, _ in
            _ = try Query(request, allowed: [])
            return try await answer.respond(request, key: "meta", contentType: jsonType) { Data(json: meta()) }
        }
    }

    func meta() -> String {
        let d = service.dataset
        let s = GeoJSON.jsonString
        let factions = d.factions.factions.map { f in
            let colours = d.factions.themes.compactMap { t in
                f.colours[t].map { "\(s(t)): {\"fill\": \(s($0.fill.hex)), \"dot\": \(s($0.dot.hex))}" }
            }
            return "{\"id\": \(s(f.id)), \"name\": \(s(f.name)), \"name_ar\": \(s(f.nameAr)), \"colours\": {\(colours.joined(separator: ", "))}}"
        }
        return "{\"title\": \(s(d.info.title)), \"from\": \"\(d.info.coverageFrom)\", \"to\": \"\(d.info.coverageTo)\", "
            + "\"places\": \(d.gazetteer.places.count), \"events\": \(d.timeline.events.count), "
            + "\"themes\": [\(d.factions.themes.map(s).joined(separator: ", "))], "
            + "\"contested\": \(s(d.factions.name(of: Controllers.contested))), "
            + "\"attribution\": \(s(d.info.attribution)), "
            + "\"factions\": [\(factions.joined(separator: ", "))]}\n"
    }
}
