import Foundation
import HTTPTypes
public import HydraguardLog
import HydraguardStore
public import Hummingbird
import NIOCore

/// The admin API on its own port, every route behind `Authorization: Bearer <admin token>` except
/// `/metrics` (Prometheus text format).
///
/// | route | does |
/// |---|---|
/// | `GET /admin/accounts`, `POST /admin/accounts` `{id, org_id?, tier}` | list, create or update accounts |
/// | `GET /admin/accounts/{id}` | account, verdict, keys and current limits |
/// | `POST /admin/orgs` `{id, tier}` | create or update an organisation |
/// | `POST /admin/keys` `{account_id, name?}` | a new key (the secret is in this answer only) |
/// | `GET /admin/keys?account_id=`, `DELETE /admin/keys/{id}`, `POST /admin/keys/{id}/rotate`, `GET /admin/keys/{id}/history` | keys |
/// | `GET /admin/verdicts`, `PUT /admin/verdicts/{account}` `{verdict, reason?}` | verdicts |
/// | `POST /admin/findings` `{findings, audited?}` | an audit's verdicts, as `hydraguard audit --apply` sets them |
/// | `GET /admin/tiers` | the tier policies in force |
/// | `GET /admin/usage?account_id=&limit=` | latest request records |
/// | `POST /admin/reload` | reads the config file and the address intelligence again (``Gateway/reload()``): 422 naming the file, line and key that cannot be used, 409 when a key that takes a restart changed |
public func buildAdminApplication(_ gateway: Gateway) -> some ApplicationProtocol {
    let router = Router(context: GatewayRequestContext.self)
    router.get("/metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
            body: .init(byteBuffer: ByteBuffer(string: gateway.metrics.render())))
    }
    let admin = router.group("admin").add(middleware: AdminTokenMiddleware(token: gateway.config.admin.token))
    AdminRoutes(gateway: gateway).register(admin)
    return Application(
        router: router,
        configuration: .init(
            address: .hostname(gateway.config.admin.listen.host, port: gateway.config.admin.listen.port),
            serverName: nil),
        logger: gateway.logger)
}

/// The body of `POST /admin/findings`: an audit's findings document and, optionally, the accounts it
/// audited (only those can go back to `allow`; see ``Store/applyVerdicts(from:source:audited:)``).
public struct FindingsUpload: Codable, Sendable {
    public var findings: Findings
    public var audited: [String]?

    public init(findings: Findings, audited: [String]?) {
        self.findings = findings
        self.audited = audited
    }
}

struct AdminTokenMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let token: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let token, !token.isEmpty else { return adminJSON(["error": "the admin API has no token configured"], .forbidden) }
        let presented = request.headers[.authorization].flatMap { value -> String? in
            value.hasPrefix("Bearer ") ? String(value.dropFirst(7)) : nil
        }
        guard let presented, constantTimeEqual(presented, token) else {
            return adminJSON(["error": "missing or wrong admin token"], .unauthorized)
        }
        return try await next(request, context)
    }
}

func adminJSON(_ object: Any, _ status: HTTPResponse.Status = .ok) -> Response {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
}
