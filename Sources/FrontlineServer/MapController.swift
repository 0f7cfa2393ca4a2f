import Foundation
import FrontlineData
import FrontlineRender
import Hummingbird

/// `/api/map` (the map image of a day, or the change map between two days) and `/api/view`
/// (where the map of a region and size puts each place, for the page's hover and click).
struct MapController {
    let service: MapService
    var answer: CachedAnswer { CachedAnswer(service: service) }

    func addRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.get("map") { request, _ in try await map(request) }
        group.get("view") { request, _ in try await view(request) }
    }

    func map(_ request: Request) async throws -> Response {
        let dataset = service.dataset
        let q = try Query(request, allowed: ["date", "compare", "region", "size", "format", "theme", "labels", "panels"])
        let r = MapRequest(day: try q.day("date", dataset: dataset), compare: try q.optionalDay("compare", dataset: dataset),
                           region: try q.region(dataset: dataset), size: try q.size(default: "1280x960"),
                           format: try q.format(), theme: try q.theme(dataset: dataset), labels: try q.labels(), bare: try q.bare())
        let key = r.key
        let types: [OutputFormat: String] = [.png: "image/png", .svg: "image/svg+xml", .pdf: "application/pdf"]
        var work = MapService.MapWork.cached
        var response = try await answer.respond(request, key: key, contentType: types[r.format]!) {
            let answer = try await service.mapWithWork(r)
            work = answer.work
            return answer.data
        }
        // For benchmarks: how much of the map this answer had to make.
        if response.status == .ok { response.headers[.init("X-Frontline-Map")!] = work.rawValue }
        if r.format != .png {
            let name = r.compare.map { "frontline-change-\($0)-to-\(r.day)" } ?? "frontline-\(r.day)"
            response.headers[.contentDisposition] = "inline; filename=\"\(name).\(r.format.rawValue)\""
        }
        return response
    }

    func view(_ request: Request) async throws -> Response {
        let q = try Query(request, allowed: ["region", "size"])
        let region = try q.region(dataset: service.dataset), size = try q.size(default: "1280x960")
        return try await answer.respond(request, key: "view|\(region)|\(Int(size.width))x\(Int(size.height))", contentType: jsonType) {
            Data(json: try await service.viewJSON(region: region, size: size))
        }
    }
}
