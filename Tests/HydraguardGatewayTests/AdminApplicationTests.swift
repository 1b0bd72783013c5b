import Foundation
import HTTPTypes
import HydraguardGateway
import HydraguardStore
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

private func adminJSON(_ response: TestResponse) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:]
}

@Suite(.serialized) struct AdminApplicationTests {
    @Test func adminRoutesNeedTheToken() async throws {
        try await GatewayFixture.run(configure: { $0.admin.token = "admin-secret" }) { (f: GatewayFixture) async throws in
            try await buildAdminApplication(f.gateway).test(.router) { client in
                #expect(try await client.execute(uri: "/admin/accounts", method: .get) { $0.status } == .unauthorized)
                let wrong = try await client.execute(
                    uri: "/admin/accounts", method: .get, headers: [.authorization: "Bearer admin-secreT"]) { $0.status }
                #expect(wrong == .unauthorized)
                let right = try await client.execute(
                    uri: "/admin/accounts", method: .get, headers: [.authorization: "Bearer admin-secret"]) { $0 }
                #expect(right.status == .ok)
                #expect((adminJSON(right)["accounts"] as? [Any])?.count == 8)
            }
        }
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            try await buildAdminApplication(f.gateway).test(.router) { client in
                let status = try await client.execute(
                    uri: "/admin/accounts", method: .get, headers: [.authorization: "Bearer "]) { $0.status }
                #expect(status == .forbidden)  // no token configured: the admin API refuses everything
            }
        }
    }

    @Test func accountsKeysAndVerdictsAreManaged() async throws {
        try await GatewayFixture.run(configure: { $0.admin.token = "t" }) { (f: GatewayFixture) async throws in
            let auth: HTTPFields = [.authorization: "Bearer t", .contentType: "application/json"]
            try await buildAdminApplication(f.gateway).test(.router) { client in
                let created = try await client.execute(
                    uri: "/admin/accounts", method: .post, headers: auth,
                    body: ByteBuffer(string: #"{"id":"acct_new","org_id":"org_x","tier":"email"}"#)) { $0 }
                #expect(created.status == .created)
                #expect(try f.store.account(id: "acct_new")?.verificationTier == .email)
                #expect(try f.store.org(id: "org_x") != nil)
                let badTier = try await client.execute(
                    uri: "/admin/accounts", method: .post, headers: auth, body: ByteBuffer(string: #"{"id":"a","tier":"gold"}"#)) { $0 }
                #expect(badTier.status == .badRequest)
                #expect((adminJSON(badTier)["error"] as? String)?.hasPrefix("tier:") == true)

                let key = adminJSON(try await client.execute(
                    uri: "/admin/keys", method: .post, headers: auth, body: ByteBuffer(string: #"{"account_id":"acct_new"}"#)) { $0 })
                let secret = try #require(key["secret"] as? String)
                let id = try #require(key["id"] as? String)
                #expect(try f.store.authenticate(secret: secret)?.account.id == "acct_new")
                let noAccount = try await client.execute(
                    uri: "/admin/keys", method: .post, headers: auth, body: ByteBuffer(string: #"{"account_id":"ghost"}"#)) { $0 }
                #expect(noAccount.status == .notFound)

                let verdict = try await client.execute(
                    uri: "/admin/verdicts/acct_new", method: .put, headers: auth,
                    body: ByteBuffer(string: #"{"verdict":"challenge","reason":"shared card"}"#)) { $0 }
                #expect(verdict.status == .ok)
                #expect(try f.store.verdict(accountID: "acct_new")?.value == .challenge)
                #expect(try f.store.verdict(accountID: "acct_new")?.source == "admin")
                let badVerdict = try await client.execute(
                    uri: "/admin/verdicts/acct_new", method: .put, headers: auth, body: ByteBuffer(string: #"{"verdict":"ban"}"#)) { $0 }
                #expect(badVerdict.status == .badRequest)

                let account = adminJSON(try await client.execute(uri: "/admin/accounts/acct_new", method: .get, headers: auth) { $0 })
                #expect((account["verdict"] as? [String: Any])?["verdict"] as? String == "challenge")
                #expect((account["keys"] as? [[String: Any]])?.first?["id"] as? String == id)
                #expect(try await client.execute(uri: "/admin/accounts/nobody", method: .get, headers: auth) { $0.status } == .notFound)

                let rotated = adminJSON(try await client.execute(uri: "/admin/keys/\(id)/rotate", method: .post, headers: auth) { $0 })
                let newID = try #require(rotated["id"] as? String)
                #expect(try f.store.authenticate(secret: secret) == nil)
                let revoke = try await client.execute(uri: "/admin/keys/\(newID)", method: .delete, headers: auth) { $0.status }
                #expect(revoke == .ok)
                #expect(try await client.execute(uri: "/admin/keys/\(newID)", method: .delete, headers: auth) { $0.status } == .conflict)
                let history = adminJSON(try await client.execute(uri: "/admin/keys/\(id)/history", method: .get, headers: auth) { $0 })
                #expect((history["history"] as? [[String: Any]])?.map { $0["action"] as? String } == ["created", "rotated"])

                let tiers = adminJSON(try await client.execute(uri: "/admin/tiers", method: .get, headers: auth) { $0 })
                #expect(((tiers["free"] as? [String: Any])?["limits"] as? [String: Any])?["requests_per_minute"] as? Int == 3)
            }
        }
    }

    @Test func usageAndMetricsReflectTraffic() async throws {
        try await GatewayFixture.run(configure: { $0.admin.token = "t" }) { (f: GatewayFixture) async throws in
            #expect(try await f.messages(f.secrets["card"], GatewayFixture.anthropicBody()).status == .ok)
            #expect(try await f.messages("nope", GatewayFixture.anthropicBody()).status == .unauthorized)
            try await buildAdminApplication(f.gateway).test(.router) { client in
                let usage = adminJSON(try await client.execute(
                    uri: "/admin/usage?account_id=acct_card", method: .get, headers: [.authorization: "Bearer t"]) { $0 })
                let events = try #require(usage["events"] as? [[String: Any]])
                #expect(events.count == 1)
                #expect(events.first?["status"] as? Int == 200)
                #expect(events.first?["endpoint"] as? String == "/v1/messages")
                let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
                #expect(metrics.contains(#"hydraguard_requests_total{api="anthropic",status="200",outcome="forwarded"} 1"#))
                #expect(metrics.contains(#"hydraguard_requests_total{api="anthropic",status="401",outcome="unauthenticated"} 1"#))
                #expect(metrics.contains("hydraguard_records_written_total 2"))
            }
        }
    }

    @Test func findingsFromAnAuditElsewhereSetVerdictsAsApplyDoes() async throws {
        // With the key cache on (a minute, on the fixture's still clock), so that only its emptying lets the
        // verdicts apply at once.
        try await GatewayFixture.run(cacheSeconds: 60, configure: { $0.admin.token = "t" }) { (f: GatewayFixture) async throws in
            let auth: HTTPFields = [.authorization: "Bearer t", .contentType: "application/json"]
            try f.store.setVerdict(accountID: "acct_free", verdict: .block, source: "admin", reason: "manual")
            @Sendable func findings(_ accounts: String) -> String {
                #"{"version":1,"generated_at":"2026-12-01T00:00:00Z","window":{"from":"a","to":"b"},"accounts":["#
                    + accounts + #"],"campaigns":[]}"#
            }
            let card = #"{"account_id":"acct_card","risk":0.93,"verdict":"challenge","campaign":null,"reasons":[{"signal":"key_rotation","detail":"9 keys"}]}"#
            let free = #"{"account_id":"acct_free","risk":0.5,"verdict":"watch","campaign":null,"reasons":[]}"#
            try await buildAdminApplication(f.gateway).test(.router) { client in
                // Without the token: refused, nothing applied.
                let anonymous = try await client.execute(
                    uri: "/admin/findings", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: #"{"findings":"# + findings(card) + "}")) { $0.status }
                #expect(anonymous == .unauthorized)
                #expect(try f.store.verdict(accountID: "acct_card") == nil)

                // Served, and so in the key cache, before the findings arrive.
                #expect(try await f.messages(f.secrets["card"], GatewayFixture.anthropicBody()).status == .ok)
                let first = try await client.execute(
                    uri: "/admin/findings", method: .post, headers: auth,
                    body: ByteBuffer(string: #"{"findings":"# + findings(card + "," + free) + #","audited":["acct_card","acct_free"]}"#)) { $0 }
                #expect(first.status == .ok)
                #expect(adminJSON(first)["changed"] as? Int == 1)
                #expect(try f.store.verdict(accountID: "acct_card")?.value == .challenge)
                #expect(try f.store.verdict(accountID: "acct_card")?.source == "audit")
                #expect(try f.store.verdict(accountID: "acct_card")?.reason == "key_rotation: 9 keys")
                // A person's stricter verdict stays.
                #expect(try f.store.verdict(accountID: "acct_free")?.value == .block)
                // Enforced at once (not after the cache's second): the cache was emptied.
                let refused = try await f.messages(f.secrets["card"], GatewayFixture.anthropicBody())
                #expect(refused.status == .forbidden)

                // Not audited this time: the verdict stays; audited and no longer listed: back to allow.
                let quiet = try await client.execute(
                    uri: "/admin/findings", method: .post, headers: auth,
                    body: ByteBuffer(string: #"{"findings":"# + findings("") + #","audited":["acct_email"]}"#)) { $0 }
                #expect(adminJSON(quiet)["changed"] as? Int == 0)
                #expect(try f.store.verdict(accountID: "acct_card")?.value == .challenge)
                let cleared = try await client.execute(
                    uri: "/admin/findings", method: .post, headers: auth,
                    body: ByteBuffer(string: #"{"findings":"# + findings("") + #","audited":["acct_card"]}"#)) { $0 }
                #expect(adminJSON(cleared)["changed"] as? Int == 1)
                #expect(try f.store.verdict(accountID: "acct_card")?.value == .allow)

                // A findings document the spec does not allow is refused, naming the field.
                let bad = try await client.execute(
                    uri: "/admin/findings", method: .post, headers: auth,
                    body: ByteBuffer(string: #"{"findings":"# + findings(card.replacingOccurrences(of: "0.93", with: "1.5")) + "}")) { $0 }
                #expect(bad.status == .badRequest)
                #expect((adminJSON(bad)["error"] as? String)?.contains("accounts[0].risk") == true)
                #expect(try f.store.verdict(accountID: "acct_card")?.value == .allow)
                let notObject = try await client.execute(
                    uri: "/admin/findings", method: .post, headers: auth, body: ByteBuffer(string: "[1]")) { $0 }
                #expect(notObject.status == .badRequest)
            }
        }
    }
}
