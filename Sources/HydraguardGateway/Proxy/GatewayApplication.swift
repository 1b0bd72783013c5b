public import Hummingbird
import HummingbirdCore
import ServiceLifecycle

/// The gateway's public server: the two model APIs, the model list and `/healthz`, served by
/// ``ResponderChildChannel`` on SwiftNIO's HTTP/1.1 pipeline inside Hummingbird's server (which owns the
/// socket, the lifecycle and graceful shutdown). Its services (the record writer) run with it and shut
/// down after it.
///
/// ```swift
/// let app = buildGatewayApplication(gateway)
/// try await app.test(.live) { client in ... }   // tests
/// ```
public func buildGatewayApplication(_ gateway: Gateway) -> some ApplicationProtocol {
    // Every route is answered by the child channel; the router is only what Hummingbird's type asks for.
    let router = Router(context: GatewayRequestContext.self)
    return Application(
        router: router,
        server: HTTPServerBuilder { _ in ResponderChildChannel(responder: gateway) },
        configuration: .init(
            address: .hostname(gateway.config.listen.host, port: gateway.config.listen.port), serverName: nil),
        services: [gateway.recorder],
        logger: gateway.logger)
}
