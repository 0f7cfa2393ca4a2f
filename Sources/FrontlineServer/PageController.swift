import Foundation
import Hummingbird

/// The page: plain HTML, CSS and JavaScript from `Public/`, read once at start and served from
/// memory by exact name. Request paths are only looked up in that table, never joined to a
/// folder, so no request can reach another file.
struct PageController {
    struct Asset {
        let data: Data
        let type: String
        let etag: String
    }

    static let files: [(route: String, file: String, type: String)] = [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/app.js", "app.js", "text/javascript; charset=utf-8"),
        ("/style.css", "style.css", "text/css; charset=utf-8"),
    ]

    let assets: [String: Asset]

    init() throws {
        var assets: [String: Asset] = [:]
        for (route, file, type) in Self.files {
            let name = (file as NSString).deletingPathExtension, ext = (file as NSString).pathExtension
            guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Public")
                ?? Bundle.module.url(forResource: name, withExtension: ext) else {
                throw APIError(status: .internalServerError, message: "the page's file \(file) is missing from the build", parameter: nil)
            }
            let data = try Data(contentsOf: url)
            var h = FNV1a()
            h.add(String(decoding: data, as: UTF8.self))
            assets[route] = Asset(data: data, type: type, etag: "\"\(h.hex)\"")
        }
        self.assets = assets
    }

    func addRoutes(to router: Router<BasicRequestContext>) {
        for (route, _, _) in Self.files {
            guard let asset = assets[route] else { continue }
            router.get(RouterPath(route)) { request, _ in
                // The page changes with the program: revalidate every time (a 304 costs nothing).
                var headers: HTTPFields = [.eTag: asset.etag, .cacheControl: "no-cache"]
                if CachedAnswer.matches(request.headers[.ifNoneMatch], asset.etag) {
                    return Response(status: .notModified, headers: headers)
                }
                headers[.contentType] = asset.type
                headers[.init("X-Content-Type-Options")!] = "nosniff"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.data)))
            }
        }
    }
}
