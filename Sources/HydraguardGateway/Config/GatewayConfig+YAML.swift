public import Foundation
import HydraguardLog
import Yams

extension GatewayConfig {
    /// Reads and validates a YAML config file. Secrets can come from the environment: `token_env`,
    /// `api_key_env` and `key_hash_secret_env` name a variable to read.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> GatewayConfig
    {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, key: "", line: nil, message: "cannot read: \(error.localizedDescription)")
        }
        return try parse(yaml: text, file: path, environment: environment)
    }

    /// Parses and validates YAML; unknown keys are errors (a typo must not silently disable a limit).
    public static func parse(yaml: String, file: String = "config", environment: [String: String] = [:]) throws
        -> GatewayConfig
    {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw ConfigError(file: file, key: "", line: nil, message: "the file is empty")
            }
            root = node
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(file: file, key: "", line: nil, message: "not valid YAML: \(error)")
        }
        let r = YAMLReader(file: file, environment: environment)
        var config = GatewayConfig()
        let top = try r.mapping(root, "", allowed: [
            "listen", "admin", "upstream", "store", "records", "trusted_proxies", "tls_fingerprint_header", "intel",
            "max_body_bytes",
            "per_prefix", "per_asn", "tiers", "verdicts", "characters_per_token", "shutdown_timeout_ms",
        ])
        if let n = top["listen"] { config.listen = try r.endpoint(n, "listen") }
        if let n = top["admin"] {
            let m = try r.mapping(n, "admin", allowed: ["host", "port", "token", "token_env"])
            config.admin.listen = try r.endpoint(n, "admin", extra: ["token", "token_env"])
            config.admin.token = try r.secret(m, "admin", "token")
        }
        if let n = top["upstream"] {
            let m = try r.mapping(n, "upstream", allowed: [
                "url", "timeout_ms", "api_key", "api_key_env", "max_response_bytes",
            ])
            if let u = m["url"] {
                let url = try r.string(u, "upstream.url")
                guard let parsed = URL(string: url), parsed.scheme == "http" || parsed.scheme == "https",
                    parsed.host != nil
                else { throw r.error(u, "upstream.url", "expected an http:// or https:// URL, found \"\(url)\"") }
                config.upstream.url = url.hasSuffix("/") ? String(url.dropLast()) : url
            }
            if let v = m["timeout_ms"] { config.upstream.timeoutMs = try r.int(v, "upstream.timeout_ms", min: 1) }
            if let v = m["max_response_bytes"] {
                config.upstream.maxResponseBytes = try r.int(v, "upstream.max_response_bytes", min: 1024)
            }
            config.upstream.apiKey = try r.secret(m, "upstream", "api_key")
            if let key = config.upstream.apiKey, key.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
                // It goes into a header as it is: a stray newline (a variable read from a file) would
                // break the request.
                throw r.error(
                    m["api_key"] ?? m["api_key_env"] ?? n, m["api_key"] == nil ? "upstream.api_key_env" : "upstream.api_key",
                    "the key contains a control character (a trailing newline?)")
            }
        }
        if let n = top["store"] {
            let m = try r.mapping(n, "store", allowed: [
                "path", "key_hash_secret", "key_hash_secret_env", "synchronous_full",
            ])
            if let v = m["path"] { config.store.path = try r.string(v, "store.path") }
            if let v = m["synchronous_full"] { config.store.synchronousFull = try r.bool(v, "store.synchronous_full") }
            if let secret = try r.secret(m, "store", "key_hash_secret") { config.store.keyHashSecret = secret }
        }
        if let n = top["records"] {
            let m = try r.mapping(n, "records", allowed: [
                "wait_for_commit", "journal", "commit_interval_ms", "jsonl_directory", "rotate_seconds", "rotate_records",
                "keep_prompt_characters", "keep_system_characters",
            ])
            if let v = m["wait_for_commit"] { config.records.waitForCommit = try r.bool(v, "records.wait_for_commit") }
            if let v = m["journal"] { config.records.journal = try r.bool(v, "records.journal") }
            if let v = m["commit_interval_ms"] {
                config.records.commitIntervalMs = try r.int(v, "records.commit_interval_ms", min: 1)
            }
            if let v = m["jsonl_directory"] { config.records.jsonlDirectory = try r.string(v, "records.jsonl_directory") }
            if let v = m["rotate_seconds"] { config.records.rotateSeconds = try r.int(v, "records.rotate_seconds", min: 1) }
            if let v = m["rotate_records"] { config.records.rotateRecords = try r.int(v, "records.rotate_records", min: 1) }
            if let v = m["keep_prompt_characters"] {
                config.records.keepPromptCharacters = try r.int(v, "records.keep_prompt_characters", min: 0)
            }
            if let v = m["keep_system_characters"] {
                config.records.keepSystemCharacters = try r.int(v, "records.keep_system_characters", min: 0)
            }
        }
        if let n = top["trusted_proxies"] { config.trustedProxies = try r.cidrs(n, "trusted_proxies") }
        if let n = top["tls_fingerprint_header"] {
            let name = try r.string(n, "tls_fingerprint_header").lowercased()
            let token = name.utf8.allSatisfy { b in
                (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x5F
            }
            guard !name.isEmpty, token else {
                throw r.error(n, "tls_fingerprint_header", "expected a header name (letters, digits, - and _), found \"\(name)\"")
            }
            guard config.trustedProxies.isEmpty == false else {
                throw r.error(
                    n, "tls_fingerprint_header",
                    "it is read only from trusted_proxies, and none are set: list the proxies that set it")
            }
            config.tlsFingerprintHeader = name
        }
        if let n = top["intel"] {
            let m = try r.mapping(n, "intel", allowed: ["country_mmdb", "asn_mmdb", "ip_ranges"])
            if let v = m["country_mmdb"] { config.intel.countryDatabase = try r.string(v, "intel.country_mmdb") }
            if let v = m["asn_mmdb"] { config.intel.asnDatabase = try r.string(v, "intel.asn_mmdb") }
            if let v = m["ip_ranges"] { config.intel.ipRanges = try r.strings(v, "intel.ip_ranges") }
        }
        if let v = top["max_body_bytes"] { config.maxBodyBytes = try r.int(v, "max_body_bytes", min: 1) }
        if let v = top["shutdown_timeout_ms"] { config.shutdownTimeoutMs = try r.int(v, "shutdown_timeout_ms", min: 0) }
        if let v = top["characters_per_token"] {
            config.charactersPerToken = try r.double(v, "characters_per_token")
            guard config.charactersPerToken > 0 else { throw r.error(v, "characters_per_token", "must be > 0") }
        }
        if let n = top["per_prefix"] {
            let m = try r.mapping(n, "per_prefix", allowed: YAMLReader.limitKeys.union(["failed_auth_per_minute"]))
            config.perPrefix = try r.limits(m.filter { $0.key != "failed_auth_per_minute" }, "per_prefix")
            if let v = m["failed_auth_per_minute"] {
                config.perPrefixFailedAuthPerMinute = try r.int(v, "per_prefix.failed_auth_per_minute", min: 0)
            }
        }
        if let n = top["per_asn"] { config.perASN = try r.limits(n, "per_asn") }
        if let n = top["verdicts"] {
            let m = try r.mapping(n, "verdicts", allowed: ["throttle_factor", "degrade_max_output_tokens"])
            if let v = m["throttle_factor"] {
                let f = try r.double(v, "verdicts.throttle_factor")
                guard f > 0, f <= 1 else { throw r.error(v, "verdicts.throttle_factor", "must be in (0, 1], found \(f)") }
                config.verdicts.throttleFactor = f
            }
            if let v = m["degrade_max_output_tokens"] {
                config.verdicts.degradeMaxOutputTokens = try r.int(v, "verdicts.degrade_max_output_tokens", min: 1)
            }
        }
        if let n = top["tiers"] {
            let m = try r.mapping(n, "tiers", allowed: Set(Tier.allCases.map(\.rawValue)))
            var tiers: [Tier: TierPolicy] = [:]
            for (name, value) in m {
                tiers[Tier(rawValue: name)!] = try r.tier(value, "tiers.\(name)")
            }
            config.tiers = tiers
        }
        return config
    }
}

/// Walks a YAML tree, naming the dotted key and the line in every error.
struct YAMLReader {
    let file: String
    let environment: [String: String]

    func error(_ node: Node, _ key: String, _ message: String) -> ConfigError {
        ConfigError(file: file, key: key, line: node.mark.map { $0.line }, message: message)
    }

    func mapping(_ node: Node, _ key: String, allowed: Set<String>) throws -> [String: Node] {
        guard let mapping = node.mapping else { throw error(node, key, "expected a mapping of keys to values") }
        var out: [String: Node] = [:]
        for (k, v) in mapping {
            guard let name = k.string else { throw error(k, key, "keys must be strings") }
            let path = key.isEmpty ? name : "\(key).\(name)"
            guard allowed.contains(name) else {
                throw error(k, path, "unknown key; expected one of: \(allowed.sorted().joined(separator: ", "))")
            }
            out[name] = v
        }
        return out
    }

    func string(_ node: Node, _ key: String) throws -> String {
        guard case .scalar(let scalar) = node else { throw error(node, key, "expected a string") }
        return scalar.string
    }

    func int(_ node: Node, _ key: String, min: Int) throws -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string.replacingOccurrences(of: "_", with: ""))
        else { throw error(node, key, "expected a whole number >= \(min), found \(describe(node))") }
        guard value >= min else { throw error(node, key, "expected a whole number >= \(min), found \(value)") }
        return value
    }

    func double(_ node: Node, _ key: String) throws -> Double {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string), value.isFinite else {
            throw error(node, key, "expected a number, found \(describe(node))")
        }
        return value
    }

    func bool(_ node: Node, _ key: String) throws -> Bool {
        guard let value = node.bool else { throw error(node, key, "expected true or false, found \(describe(node))") }
        return value
    }

    func strings(_ node: Node, _ key: String) throws -> [String] {
        guard let sequence = node.sequence else { throw error(node, key, "expected a list") }
        return try sequence.enumerated().map { i, n in try string(n, "\(key)[\(i)]") }
    }

    func cidrs(_ node: Node, _ key: String) throws -> [CIDR] {
        guard let sequence = node.sequence else { throw error(node, key, "expected a list of address ranges") }
        return try sequence.enumerated().map { i, n in
            let text = try string(n, "\(key)[\(i)]")
            guard let cidr = CIDR(text) else {
                throw error(n, "\(key)[\(i)]", "expected an address range like 10.0.0.0/8, found \"\(text)\"")
            }
            return cidr
        }
    }

    func countries(_ node: Node, _ key: String) throws -> Set<String> {
        Set(try strings(node, key).enumerated().map { i, c in
            guard c.count == 2, c.allSatisfy({ $0.isLetter && $0.isASCII }) else {
                throw error(node, "\(key)[\(i)]", "expected an ISO 3166-1 alpha-2 code like DE, found \"\(c)\"")
            }
            return c.uppercased()
        })
    }

    /// `NAME` or `NAME_env` (the variable's value); both set is an error.
    func secret(_ m: [String: Node], _ section: String, _ name: String) throws -> String? {
        let direct = try m[name].map { try string($0, "\(section).\(name)") }
        guard let envNode = m["\(name)_env"] else { return direct }
        let variable = try string(envNode, "\(section).\(name)_env")
        guard direct == nil else { throw error(envNode, "\(section).\(name)_env", "give \(name) or \(name)_env, not both") }
        guard let value = environment[variable], !value.isEmpty else {
            throw error(envNode, "\(section).\(name)_env", "environment variable \(variable) is not set")
        }
        return value
    }

    func endpoint(_ node: Node, _ key: String, extra: Set<String> = []) throws -> Endpoint {
        let m = try mapping(node, key, allowed: Set(["host", "port"]).union(extra))
        let host = try m["host"].map { try string($0, "\(key).host") } ?? "127.0.0.1"
        guard let portNode = m["port"] else { throw error(node, "\(key).port", "required") }
        let port = try int(portNode, "\(key).port", min: 0)
        guard port <= 65535 else { throw error(portNode, "\(key).port", "expected a port in 0...65535, found \(port)") }
        return Endpoint(host: host, port: port)
    }

    static let limitKeys: Set<String> = [
        "requests_per_minute", "input_tokens_per_minute", "output_tokens_per_minute", "requests_per_day",
        "input_tokens_per_day", "output_tokens_per_day", "concurrent",
    ]

    func limits(_ node: Node, _ key: String) throws -> LimitSet {
        try limits(mapping(node, key, allowed: Self.limitKeys), key)
    }

    func limits(_ m: [String: Node], _ key: String) throws -> LimitSet {
        func v(_ name: String) throws -> Int? { try m[name].map { try int($0, "\(key).\(name)", min: 0) } }
        return LimitSet(
            requestsPerMinute: try v("requests_per_minute"), inputTokensPerMinute: try v("input_tokens_per_minute"),
            outputTokensPerMinute: try v("output_tokens_per_minute"), requestsPerDay: try v("requests_per_day"),
            inputTokensPerDay: try v("input_tokens_per_day"), outputTokensPerDay: try v("output_tokens_per_day"),
            concurrent: try v("concurrent"))
    }

    func tier(_ node: Node, _ key: String) throws -> TierPolicy {
        let m = try mapping(node, key, allowed: Self.limitKeys.union([
            "key_limits", "org_limits", "models", "visible_reasoning", "max_output_tokens", "tools",
            "deny_countries", "allow_countries", "anonymizers", "anonymizer_kinds", "allow_addresses",
        ]))
        var policy = TierPolicy(limits: try limits(m.filter { Self.limitKeys.contains($0.key) }, key))
        if let n = m["key_limits"] { policy.keyLimits = try limits(n, "\(key).key_limits") }
        if let n = m["org_limits"] { policy.orgLimits = try limits(n, "\(key).org_limits") }
        if let n = m["models"] { policy.models = try strings(n, "\(key).models") }
        if let n = m["visible_reasoning"] { policy.visibleReasoning = try bool(n, "\(key).visible_reasoning") }
        if let n = m["max_output_tokens"] { policy.maxOutputTokens = try int(n, "\(key).max_output_tokens", min: 1) }
        if let n = m["tools"] { policy.tools = try bool(n, "\(key).tools") }
        if let n = m["deny_countries"] { policy.denyCountries = try countries(n, "\(key).deny_countries") }
        if let n = m["allow_countries"] { policy.allowCountries = try countries(n, "\(key).allow_countries") }
        if let n = m["anonymizer_kinds"] { policy.anonymizerKinds = Set(try strings(n, "\(key).anonymizer_kinds")) }
        if let n = m["allow_addresses"] { policy.allowAddresses = try cidrs(n, "\(key).allow_addresses") }
        if let n = m["anonymizers"] {
            let text = try string(n, "\(key).anonymizers")
            guard let value = AnonymizerPolicy(rawValue: text) else {
                throw error(n, "\(key).anonymizers", "expected allow, flag or deny, found \"\(text)\"")
            }
            policy.anonymizers = value
        }
        return policy
    }

    private func describe(_ node: Node) -> String {
        if case .scalar(let s) = node { return "\"\(s.string)\"" }
        return node.mapping != nil ? "a mapping" : "a list"
    }
}
