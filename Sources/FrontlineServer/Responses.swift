import Foundation
import Hummingbird

/// Answers for a date carry an ETag derived from the data's fingerprint and the request, so a
/// browser revisiting a day gets `304 Not Modified` without the server drawing anything.
struct CachedAnswer {
    let service: MapService

    func etag(_ key: String) -> String {
        var h = FNV1a()
        h.add(service.fingerprint)
        h.add("|")
        h.add(key)
        return "\"\(h.hex)\""
    }

    static func matches(_ header: String?, _ etag: String) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { part in
            let t = part.trimmingCharacters(in: .whitespaces)
            return t == "*" || t == etag || t == "W/" + etag
        }
    }

    /// `key` names the answer fully (endpoint and validated parameters); `body` makes it only
    /// when the client does not already hold it.
    func respond(_ request: Request, key: String, contentType: String, _ body: () async throws -> Data) async throws -> Response {
        let tag = etag(key)
        var headers: HTTPFields = [.eTag: tag, .cacheControl: "public, max-age=3600"]
        if Self.matches(request.headers[.ifNoneMatch], tag) {
            return Response(status: .notModified, headers: headers)
        }
        let data = try await body()
        headers[.contentType] = contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension Data {
    init(json text: String) { self.init(text.utf8) }
}

let jsonType = "application/json; charset=utf-8"
