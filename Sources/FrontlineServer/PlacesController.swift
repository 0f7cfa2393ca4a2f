import Foundation
import FrontlineData
import Hummingbird

/// `/api/places?date=D` (every place with its controller on the day and the event that says
/// so) and `/api/places/{id}` (one place and its whole history, each change with its source).
struct PlacesController {
    let service: MapService
    var answer: CachedAnswer { CachedAnswer(service: service) }

    func addRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.get("places") { request, _ in
            let day = try Query(request, allowed: ["date"]).day("date", dataset: service.dataset)
            return try await answer.respond(request, key: "places|\(day)", contentType: jsonType) { Data(json: places(on: day)) }
        }
        group.get("places/:id") { request, context in
            _ = try Query(request, allowed: [])
            let id = context.parameters.get("id") ?? ""
            guard let place = service.dataset.gazetteer[id] else {
                let shown = id.count > 60 ? String(id.prefix(60)) + "…" : id
                throw APIError.badRequest("unknown place '\(shown)'; /api/places?date=D lists every id", parameter: "id")
            }
            return try await answer.respond(request, key: "place|\(place.id)", contentType: jsonType) { Data(json: history(of: place)) }
        }
    }

    static func fields(_ p: Place) -> String {
        "\"id\": \(GeoJSON.jsonString(p.id)), \"name\": \(GeoJSON.jsonString(p.name)), \"name_ar\": \(GeoJSON.jsonString(p.nameAr)), "
            + "\"lat\": \(String(format: "%.4f", p.coordinate.lat)), \"lon\": \(String(format: "%.4f", p.coordinate.lon))"
    }

    func places(on day: Day) -> String {
        let d = service.dataset
        let items = d.gazetteer.places.map { p -> String in
            let e = d.timeline.event(for: p.id, on: day)
            let c = e.map { GeoJSON.jsonString($0.controller) } ?? "null"
            let since = e.map { "\"\($0.date)\"" } ?? "null"
            let src = e.map { GeoJSON.jsonString($0.source) } ?? "null"
            return "{\(Self.fields(p)), \"controller\": \(c), \"since\": \(since), \"source\": \(src)}"
        }
        return "{\"date\": \"\(day)\", \"places\": [\n  " + items.joined(separator: ",\n  ") + "\n]}\n"
    }

    func history(of p: Place) -> String {
        let d = service.dataset
        let events = d.timeline.events(for: p.id).map { e in
            "{\"date\": \"\(e.date)\", \"controller\": \(GeoJSON.jsonString(e.controller)), \"controller_name\": \(GeoJSON.jsonString(d.factions.name(of: e.controller))), \"source\": \(GeoJSON.jsonString(e.source)), \"note\": \(GeoJSON.jsonString(e.note))}"
        }
        return "{\(Self.fields(p)), \"country\": \(GeoJSON.jsonString(p.country)), \"population\": \(p.population), \"history\": [\n  "
            + events.joined(separator: ",\n  ") + "\n]}\n"
    }
}
