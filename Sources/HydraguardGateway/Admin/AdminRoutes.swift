import Foundation
import HTTPTypes
import HydraguardLog
import HydraguardStore
import Hummingbird
import NIOCore

struct AdminRoutes: Sendable {
    let gateway: Gateway
    var store: Store { gateway.store }

    func register(_ group: RouterGroup<GatewayRequestContext>) {
        group.get("accounts") { _, _ in try adminJSON(["accounts": store.accounts().map(Self.account)]) }
        group.post("accounts") { request, _ in
            let body = try await Self.body(request)
            guard let id = body["id"] as? String, !id.isEmpty else { return Self.bad("id: required string") }
            guard let tier = (body["tier"] as? String).flatMap(Tier.init(rawValue:)) else {
                return Self.bad("tier: expected one of \(Tier.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let org = body["org_id"] as? String
            if let org, try store.org(id: org) == nil { try store.upsertOrg(OrgRow(id: org, tier: tier)) }
            let existing = try store.account(id: id)
            var row = AccountRow(id: id, orgID: org, tier: tier)
            if let existing { row.createdAt = existing.createdAt }
            try store.upsertAccount(row)
            gateway.invalidateCache()
            return adminJSON(Self.account(row), existing == nil ? .created : .ok)
        }
        group.get("accounts/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let account = try store.account(id: id) else { return Self.notFound("account \(id)") }
            var out = Self.account(account)
            out["verdict"] = try store.verdict(accountID: id).map(Self.verdict) ?? ["verdict": "allow"]
            out["keys"] = try store.keys(accountID: id).map(Self.key)
            out["limits"] = gateway.limiter.status(scope: "account:\(id)").mapValues {
                ["limit": $0.limit, "remaining": $0.remaining, "reset_seconds": $0.resetSeconds]
            }
            out["in_flight"] = gateway.limiter.inFlight(scope: "account:\(id)")
            return adminJSON(out)
        }
        group.post("orgs") { request, _ in
            let body = try await Self.body(request)
            guard let id = body["id"] as? String, !id.isEmpty else { return Self.bad("id: required string") }
            guard let tier = (body["tier"] as? String).flatMap(Tier.init(rawValue:)) else { return Self.bad("tier: invalid") }
            try store.upsertOrg(OrgRow(id: id, tier: tier))
            gateway.invalidateCache()
            return adminJSON(["id": id, "tier": tier.rawValue], .created)
        }
        group.post("keys") { request, _ in
            let body = try await Self.body(request)
            guard let account = body["account_id"] as? String else { return Self.bad("account_id: required string") }
            do {
                let created = try store.createKey(accountID: account, name: body["name"] as? String, actor: "admin")
                var out = Self.key(created.key)
                out["secret"] = created.secret
                return adminJSON(out, .created)
            } catch let error as StoreError {
                return Self.storeError(error)
            }
        }
        group.get("keys") { request, _ in
            try adminJSON(["keys": store.keys(accountID: request.uri.queryParameters["account_id"].map(String.init)).map(Self.key)])
        }
        group.delete("keys/:id") { _, context in
            do {
                try store.revokeKey(id: try context.parameters.require("id"), actor: "admin")
                gateway.invalidateCache()
                return adminJSON(["revoked": true])
            } catch let error as StoreError {
                return Self.storeError(error)
            }
        }
        group.post("keys/:id/rotate") { _, context in
            do {
                let created = try store.rotateKey(id: try context.parameters.require("id"), actor: "admin")
                gateway.invalidateCache()
                var out = Self.key(created.key)
                out["secret"] = created.secret
                return adminJSON(out, .created)
            } catch let error as StoreError {
                return Self.storeError(error)
            }
        }
        group.get("keys/:id/history") { _, context in
            let events = try store.keyEvents(keyID: try context.parameters.require("id"))
            return adminJSON(["history": events.map { e -> [String: Any] in
                ["action": e.action, "at": e.at, "actor": e.actor, "replaced_by": e.replacedBy ?? NSNull()]
            }])
        }
        group.get("verdicts") { _, _ in try adminJSON(["verdicts": store.verdicts().map(Self.verdict)]) }
        group.put("verdicts/:account") { request, context in
            let account = try context.parameters.require("account")
            let body = try await Self.body(request)
            guard let verdict = (body["verdict"] as? String).flatMap(GatewayVerdict.init(rawValue:)) else {
                return Self.bad("verdict: expected one of \(GatewayVerdict.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            try store.setVerdict(accountID: account, verdict: verdict, source: "admin", reason: body["reason"] as? String)
            gateway.invalidateCache()
            return adminJSON(["account_id": account, "verdict": verdict.rawValue])
        }
        // An audit's findings, applied as `hydraguard audit --apply` applies them to a store on its own host:
        // for an audit run elsewhere (`--apply-url`).
        group.post("findings") { request, _ in
            var buffer = try await request.body.collect(upTo: Self.maxFindingsBytes)
            let upload: FindingsUpload
            do {
                upload = try JSONDecoder().decode(FindingsUpload.self, from: buffer.readData(length: buffer.readableBytes) ?? Data())
                try upload.findings.validate(file: "findings")
            } catch let error as DecodingError {
                return Self.bad("\(FindingsError(decoding: error, file: "body"))")
            } catch {
                return Self.bad("\(error)")
            }
            let changed = try store.applyVerdicts(from: upload.findings, source: "audit", audited: upload.audited.map(Set.init))
            gateway.invalidateCache()
            return adminJSON(["changed": changed, "accounts": upload.findings.accounts.count])
        }
        group.get("tiers") { _, _ in
            var out: [String: Any] = [:]
            for tier in Tier.allCases {
                let p = gateway.policy(for: tier)
                out[tier.rawValue] = [
                    "limits": Self.limits(p.limits), "models": p.models ?? ["*"], "visible_reasoning": p.visibleReasoning,
                    "max_output_tokens": p.maxOutputTokens ?? NSNull(), "tools": p.tools,
                    "deny_countries": p.denyCountries.sorted(), "anonymizers": p.anonymizers.rawValue,
                ] as [String: Any]
            }
            return adminJSON(out)
        }
        group.post("reload") { _, _ in
            do {
                let reload = try await gateway.reload()
                return adminJSON([
                    "reloaded": true, "config": reload.configFile as Any? ?? NSNull(), "changed": reload.changed,
                    "intel_files": reload.intelFiles, "ranges": reload.ranges,
                ])
            } catch let error as ReloadError {
                let status: HTTPResponse.Status
                switch error {
                case .nothingToReload, .needsRestart: status = .conflict
                case .invalidConfig, .unreadableIntel: status = .unprocessableContent
                }
                return adminJSON(["error": "not reloaded, the settings in force stay: \(error)"], status)
            }
        }
        group.get("usage") { request, _ in
            let account = request.uri.queryParameters["account_id"].map(String.init)
            let limit = request.uri.queryParameters["limit"].flatMap { Int($0) } ?? 100
            let events = try store.usage(accountID: account, limit: max(1, min(limit, 10_000)))
            return adminJSON(["events": events.map { try? JSONSerialization.jsonObject(with: Data($0.jsonLine.utf8)) }
                .compactMap { $0 }])
        }
    }

    static func body(_ request: Request) async throws -> [String: Any] {
        var buffer = try await request.body.collect(upTo: 1 << 20)
        let data = buffer.readData(length: buffer.readableBytes) ?? Data()
        guard !data.isEmpty else { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw HTTPError(.badRequest, message: "the body must be a JSON object")
        }
        return object
    }

    /// The largest findings body `POST /admin/findings` reads: 25,000 flagged accounts with their reasons and
    /// the ids of every account audited fit in well under it.
    static let maxFindingsBytes = 64 << 20

    static func bad(_ message: String) -> Response { adminJSON(["error": message], .badRequest) }
    static func notFound(_ what: String) -> Response { adminJSON(["error": "no \(what)"], .notFound) }
    static func storeError(_ error: StoreError) -> Response {
        adminJSON(["error": error.message], error.isNotFound ? .notFound : error.isConflict ? .conflict : .badRequest)
    }

    static func account(_ a: AccountRow) -> [String: Any] {
        ["id": a.id, "org_id": a.orgID ?? NSNull(), "tier": a.tier, "created_at": a.createdAt]
    }

    static func key(_ k: APIKeyRow) -> [String: Any] {
        ["id": k.id, "account_id": k.accountID, "name": k.name ?? NSNull(), "created_at": k.createdAt,
         "revoked_at": k.revokedAt ?? NSNull()]
    }

    static func verdict(_ v: VerdictRow) -> [String: Any] {
        ["account_id": v.accountID, "verdict": v.verdict, "source": v.source, "reason": v.reason ?? NSNull(),
         "risk": v.risk ?? NSNull(), "updated_at": v.updatedAt]
    }

    static func limits(_ l: LimitSet) -> [String: Any] {
        var out: [String: Any] = [:]
        out["requests_per_minute"] = l.requestsPerMinute
        out["input_tokens_per_minute"] = l.inputTokensPerMinute
        out["output_tokens_per_minute"] = l.outputTokensPerMinute
        out["requests_per_day"] = l.requestsPerDay
        out["input_tokens_per_day"] = l.inputTokensPerDay
        out["output_tokens_per_day"] = l.outputTokensPerDay
        out["concurrent"] = l.concurrent
        return out
    }
}
