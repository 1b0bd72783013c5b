public import Hummingbird
import ServiceLifecycle

/// The gateway's public server: the two model APIs and the model list. Its services (the record writer)
/// run with it and shut down after it.
///
/// ```swift
/// let app = buildGatewayApplication(gateway)
/// try await app.test(.live) { client in ... }   // tests
/// ```
public func buildGatewayApplication(_ gateway: Gateway) -> some ApplicationProtocol {
    let router = Router(context: GatewayRequestContext.self)
    router.post("/v1/messages") { request, context in
        await gateway.handle(request, context: context, flavor: .anthropic)
    }
    router.post("/v1/chat/completions") { request, context in
        await gateway.handle(request, context: context, flavor: .openai)
    }
    router.get("/v1/models") { request, context in
        await gateway.handleModels(request, context: context)
    }
    router.get("/healthz") { _, _ in "ok\n" }
    return Application(
        router: router,
        configuration: .init(
            address: .hostname(gateway.config.listen.host, port: gateway.config.listen.port), serverName: nil),
        services: [gateway.recorder],
        logger: gateway.logger)
}
