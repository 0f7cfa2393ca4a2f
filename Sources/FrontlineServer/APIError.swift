import Foundation
import FrontlineData
import Hummingbird

/// A request the server refuses, answered with one line of JSON naming what was wrong:
/// `{"error": "…", "parameter": "date"}`.
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String
    let parameter: String?

    static func badRequest(_ message: String, parameter: String) -> APIError {
        APIError(status: .badRequest, message: message, parameter: parameter)
    }

    var json: String {
        var line = "{\"error\": \(GeoJSON.jsonString(message))"
        if let parameter { line += ", \"parameter\": \(GeoJSON.jsonString(parameter))" }
        return line + "}\n"
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: json)))
    }
}

/// Turns every failure into a one-line JSON answer: the router's 404 and 405, and errors no
/// handler expected (500, with the reason, logged).
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            let message = error.status == .notFound ? "no such page or endpoint: \(request.uri.path)" : (error.body ?? error.status.reasonPhrase)
            throw APIError(status: error.status, message: message, parameter: nil)
        } catch {
            context.logger.error("\(request.method) \(request.uri): \(error)")
            throw APIError(status: .internalServerError, message: "\(error)", parameter: nil)
        }
    }
}
