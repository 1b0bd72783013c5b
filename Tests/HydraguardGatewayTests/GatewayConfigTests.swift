import HydraguardGateway
import HydraguardLog
import Testing

@Test func fullConfigParses() throws {
    let yaml = """
        listen: {host: 0.0.0.0, port: 8088}
        admin: {port: 8089, token_env: ADMIN}
        upstream: {url: "http://127.0.0.1:9000/", timeout_ms: 1500, api_key: up}
        store: {path: ":memory:", key_hash_secret: pepper}
        records: {wait_for_commit: false, jsonl_directory: out/records, rotate_seconds: 60}
        trusted_proxies: [10.0.0.0/8, "::1"]
        max_body_bytes: 1000
        shutdown_timeout_ms: 4000
        per_prefix: {requests_per_minute: 100, failed_auth_per_minute: 12}
        verdicts: {throttle_factor: 0.5, degrade_max_output_tokens: 64}
        tiers:
          free:
            requests_per_minute: 3
            input_tokens_per_day: 1_000
            models: ["stub-small", "cheap-*"]
            visible_reasoning: false
            deny_countries: [kp, IR]
            anonymizers: deny
          enterprise: {concurrent: 100, org_limits: {requests_per_minute: 1000}}
        """
    let config = try GatewayConfig.parse(yaml: yaml, environment: ["ADMIN": "s3cret"])
    #expect(config.listen == Endpoint(host: "0.0.0.0", port: 8088))
    #expect(config.admin.listen.port == 8089)
    #expect(config.admin.token == "s3cret")
    #expect(config.upstream.url == "http://127.0.0.1:9000")
    #expect(config.upstream.timeoutMs == 1500)
    #expect(config.records.waitForCommit == false)
    #expect(config.trustedProxies.count == 2)
    #expect(config.perPrefix.requestsPerMinute == 100)
    #expect(config.perPrefixFailedAuthPerMinute == 12)
    #expect(try GatewayConfig.parse(yaml: "per_prefix: {requests_per_minute: 5}").perPrefixFailedAuthPerMinute == 60)
    #expect(config.shutdownTimeoutMs == 4000)
    #expect(try GatewayConfig.parse(yaml: "max_body_bytes: 10").shutdownTimeoutMs == 25_000)
    #expect(config.verdicts.throttleFactor == 0.5)
    let free = config.policy(for: .free)
    #expect(free.limits.requestsPerMinute == 3)
    #expect(free.limits.inputTokensPerDay == 1000)
    #expect(free.allows(model: "stub-small") && free.allows(model: "cheap-2") && !free.allows(model: "stub-large"))
    #expect(free.denyCountries == ["KP", "IR"])
    #expect(free.anonymizers == .deny)
    // Tiers missing from the file fall back to the nearest weaker one present.
    #expect(config.policy(for: .card).limits.requestsPerMinute == 3)
    #expect(config.policy(for: .enterprise).orgLimits?.requestsPerMinute == 1000)
}

private func error(_ yaml: String, env: [String: String] = [:]) -> ConfigError? {
    do {
        _ = try GatewayConfig.parse(yaml: yaml, file: "hg.yaml", environment: env)
        return nil
    } catch {
        return error as? ConfigError
    }
}

@Test func errorsNameTheKeyAndLine() throws {
    let typo = try #require(error("listen: {port: 1}\ntiers:\n  free:\n    request_per_minute: 3\n"))
    #expect(typo.key == "tiers.free.request_per_minute")
    #expect(typo.line == 4)
    #expect(typo.description.hasPrefix("hg.yaml:4: tiers.free.request_per_minute: unknown key"))

    let wrongType = try #require(error("tiers:\n  card: {requests_per_minute: ten}\n"))
    #expect(wrongType.key == "tiers.card.requests_per_minute")
    #expect(wrongType.message.contains("\"ten\""))

    #expect(error("tiers: {gold: {}}")?.key == "tiers.gold")
    #expect(error("upstream: {url: ftp://x}")?.key == "upstream.url")
    #expect(error("listen: {host: a}")?.key == "listen.port")
    #expect(error("listen: {port: 70000}")?.key == "listen.port")
    #expect(error("trusted_proxies: [10.0.0.0/33]")?.key == "trusted_proxies[0]")
    // Read only from trusted proxies, so it needs some; and it must be a header name.
    #expect(error("tls_fingerprint_header: x-ja4")?.message.contains("trusted_proxies") == true)
    #expect(error("trusted_proxies: [10.0.0.0/8]\ntls_fingerprint_header: \"x ja4\"")?.key == "tls_fingerprint_header")
    let parsed = try GatewayConfig.parse(yaml: "trusted_proxies: [10.0.0.0/8]\ntls_fingerprint_header: X-JA4", file: "hg.yaml")
    #expect(parsed.tlsFingerprintHeader == "x-ja4")
    #expect(error("tiers: {free: {anonymizers: maybe}}")?.key == "tiers.free.anonymizers")
    #expect(error("tiers: {free: {deny_countries: [Germany]}}")?.key == "tiers.free.deny_countries[0]")
    #expect(error("admin: {port: 1, token_env: NOPE}")?.message.contains("NOPE") == true)
    #expect(error("verdicts: {throttle_factor: 2}")?.key == "verdicts.throttle_factor")
    #expect(error("per_prefix: {failed_auth_per_minute: -1}")?.key == "per_prefix.failed_auth_per_minute")
    #expect(error("per_prefix: {failed_auths_per_minute: 5}")?.key == "per_prefix.failed_auths_per_minute")
    // An upstream key read from a variable with its file's newline would break every request.
    let newline = try #require(error("upstream: {api_key_env: KEY}", env: ["KEY": "sk-abc\n"]))
    #expect(newline.key == "upstream.api_key_env")
    #expect(newline.message.contains("control character"))
    #expect(error("upstream: {api_key: \"sk-\\tx\"}")?.key == "upstream.api_key")
    #expect(error("records: {commit_interval_ms: 0}")?.key == "records.commit_interval_ms")
    #expect(error("records: {journal: sometimes}")?.key == "records.journal")
    #expect(error("shutdown_timeout_ms: -5")?.key == "shutdown_timeout_ms")
    #expect(error("shutdown_timeout: 5")?.key == "shutdown_timeout")
    #expect(error("[1, 2]")?.key == "")
}
