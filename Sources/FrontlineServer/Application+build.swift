import Foundation
import FrontlineData
import Hummingbird

/// The router with every route of `frontline serve`: the page and `/api`. Tests build the same
/// router (`app.test(.router)`).
public func buildRouter(service: MapService) throws -> Router<BasicRequestContext> {
    let router = Router()
    router.add(middleware: JSONErrorMiddleware())
    try PageController().addRoutes(to: router)
    let api = router.group("api")
    MapController(service: service).addRoutes(to: api)
    PlacesController(service: service).addRoutes(to: api)
    ReportsController(service: service).addRoutes(to: api)
    return router
}

/// The application on `host:port`; `onReady` receives the URL once it is listening (with the
/// port the system chose when `port` is 0).
public func buildApplication(service: MapService, host: String, port: Int,
                             onReady: @escaping @Sendable (String) -> Void = { _ in }) throws -> some ApplicationProtocol {
    Application(
        router: try buildRouter(service: service),
        configuration: .init(address: .hostname(host, port: port), serverName: "frontline"),
        onServerRunning: { channel in
            let actual = channel.localAddress?.port ?? port
            let shown = host.contains(":") ? "[\(host)]" : host
            onReady("http://\(shown):\(actual)/")
        }
    )
}
