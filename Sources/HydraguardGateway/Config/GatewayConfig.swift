public import HydraguardLog

/// Everything `hydraguard gateway` needs, parsed from YAML by ``GatewayConfig/parse(yaml:file:)``.
/// Every field has a default, so tests build one in code with only what they need.
///
/// ```yaml
/// listen: {host: 127.0.0.1, port: 8080}
/// admin: {host: 127.0.0.1, port: 8081, token_env: HYDRAGUARD_ADMIN_TOKEN}
/// upstream: {url: "http://127.0.0.1:9000", timeout_ms: 60000, api_key_env: UPSTREAM_KEY}
/// store: {path: hydraguard.sqlite, key_hash_secret_env: HYDRAGUARD_KEY_SECRET}
/// tiers:
///   free: {requests_per_minute: 5, models: ["small-*"], max_output_tokens: 1024, visible_reasoning: false}
/// ```
public struct GatewayConfig: Sendable, Equatable {
    public var listen: Endpoint
    public var admin: AdminConfig
    public var upstream: UpstreamConfig
    public var store: StoreConfig
    public var records: RecordsConfig
    /// Addresses whose `x-forwarded-for` is believed (the client is the rightmost address not in this list).
    public var trustedProxies: [CIDR]
    /// The header in which a trusted proxy passes the client's TLS fingerprint (JA4, say), lower-case;
    /// recorded as `tls_fp`. Read only from ``trustedProxies``, since a client could set it itself.
    public var tlsFingerprintHeader: String?
    public var intel: IntelConfig
    /// Largest request body accepted (413 above).
    public var maxBodyBytes: Int
    /// Limits per address prefix (/24 for IPv4, /48 for IPv6), for every tier.
    public var perPrefix: LimitSet
    /// Failed authentications per address prefix per minute before keys the gateway does not hold are
    /// refused from it without a store read (429); 0 for no such limit.
    public var perPrefixFailedAuthPerMinute: Int
    /// Limits per autonomous system, for every tier (needs an ASN database).
    public var perASN: LimitSet
    public var tiers: [Tier: TierPolicy]
    public var verdicts: VerdictPolicy
    /// Characters per token in the pre-forward input estimate.
    public var charactersPerToken: Double
    /// After SIGTERM or SIGINT, how long streamed answers may go on before they are cut (ended in their
    /// API's format and recorded); the gateway then exits. Under the 30 s a container orchestrator
    /// usually allows before it kills the process.
    public var shutdownTimeoutMs: Int

    public init(
        listen: Endpoint = Endpoint(host: "127.0.0.1", port: 8080),
        admin: AdminConfig = AdminConfig(),
        upstream: UpstreamConfig = UpstreamConfig(),
        store: StoreConfig = StoreConfig(),
        records: RecordsConfig = RecordsConfig(),
        trustedProxies: [CIDR] = [],
        tlsFingerprintHeader: String? = nil,
        intel: IntelConfig = IntelConfig(),
        maxBodyBytes: Int = 4 << 20,
        perPrefix: LimitSet = LimitSet(),
        perPrefixFailedAuthPerMinute: Int = 60,
        perASN: LimitSet = LimitSet(),
        tiers: [Tier: TierPolicy] = TierPolicy.defaults,
        verdicts: VerdictPolicy = VerdictPolicy(),
        charactersPerToken: Double = 4,
        shutdownTimeoutMs: Int = 25_000
    ) {
        self.listen = listen
        self.admin = admin
        self.upstream = upstream
        self.store = store
        self.records = records
        self.trustedProxies = trustedProxies
        self.tlsFingerprintHeader = tlsFingerprintHeader
        self.intel = intel
        self.maxBodyBytes = maxBodyBytes
        self.perPrefix = perPrefix
        self.perPrefixFailedAuthPerMinute = perPrefixFailedAuthPerMinute
        self.perASN = perASN
        self.tiers = tiers
        self.verdicts = verdicts
        self.charactersPerToken = charactersPerToken
        self.shutdownTimeoutMs = shutdownTimeoutMs
    }

    /// The policy for a tier; a tier missing from the config gets the policy of the nearest weaker tier
    /// present, or an unlimited one.
    public func policy(for tier: Tier) -> TierPolicy {
        if let policy = tiers[tier] { return policy }
        for weaker in Tier.allCases.reversed() where weaker < tier {
            if let policy = tiers[weaker] { return policy }
        }
        return TierPolicy()
    }
}

public struct Endpoint: Sendable, Hashable {
    public var host: String
    public var port: Int
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}

public struct AdminConfig: Sendable, Equatable {
    public var listen: Endpoint
    /// Bearer token for the admin API; the admin server does not start without one.
    public var token: String?
    public init(listen: Endpoint = Endpoint(host: "127.0.0.1", port: 8081), token: String? = nil) {
        self.listen = listen
        self.token = token
    }
}

public struct UpstreamConfig: Sendable, Equatable {
    /// Base URL of the model API, e.g. `https://api.anthropic.com` or `http://127.0.0.1:9000`.
    public var url: String
    /// Time the upstream has to answer (to its last byte for a non-streamed answer, to its first for a
    /// stream); 504 after it.
    public var timeoutMs: Int
    /// Sent upstream as `x-api-key` (Anthropic) and `Authorization: Bearer` (OpenAI).
    public var apiKey: String?
    /// Largest upstream answer read into memory for a non-streamed request.
    public var maxResponseBytes: Int
    public init(url: String = "http://127.0.0.1:9000", timeoutMs: Int = 120_000, apiKey: String? = nil,
                maxResponseBytes: Int = 32 << 20) {
        self.url = url
        self.timeoutMs = timeoutMs
        self.apiKey = apiKey
        self.maxResponseBytes = maxResponseBytes
    }
}

public struct StoreConfig: Sendable, Equatable {
    /// SQLite file; `:memory:` keeps everything in memory (tests, demos).
    public var path: String
    /// Secret the HMAC of every API key is computed under.
    public var keyHashSecret: String
    /// fsync every commit (survives power loss, slower).
    public var synchronousFull: Bool
    public init(path: String = "hydraguard.sqlite", keyHashSecret: String = "", synchronousFull: Bool = false) {
        self.path = path
        self.keyHashSecret = keyHashSecret
        self.synchronousFull = synchronousFull
    }
}

public struct RecordsConfig: Sendable, Equatable {
    /// Answer a request only once its record is safe from a crash of the gateway (the default): written to
    /// the record journal, or, without one, committed to the store.
    public var waitForCommit: Bool
    /// Write records ahead of the store, to a journal of JSON Lines files beside it (on by default for a
    /// store on disk): each event loop appends the records it finished in one pass with one write, the
    /// answers go out after that write, and the store commits them in large transactions every
    /// `commitIntervalMs`. After a crash, the journal's records are committed at the next start.
    public var journal: Bool
    /// How often journalled records are committed to the store.
    public var commitIntervalMs: Int
    /// Directory for rotated JSON Lines files (none when nil).
    public var jsonlDirectory: String?
    /// Start a new JSON Lines file after this many seconds.
    public var rotateSeconds: Int
    /// ... or after this many records.
    public var rotateRecords: Int
    /// Characters of `prompt` and `system` kept in records.
    public var keepPromptCharacters: Int
    public var keepSystemCharacters: Int
    public init(waitForCommit: Bool = true, journal: Bool = true, commitIntervalMs: Int = 50,
                jsonlDirectory: String? = nil, rotateSeconds: Int = 3600, rotateRecords: Int = 1_000_000,
                keepPromptCharacters: Int = 4000, keepSystemCharacters: Int = 2000) {
        self.waitForCommit = waitForCommit
        self.journal = journal
        self.commitIntervalMs = commitIntervalMs
        self.jsonlDirectory = jsonlDirectory
        self.rotateSeconds = rotateSeconds
        self.rotateRecords = rotateRecords
        self.keepPromptCharacters = keepPromptCharacters
        self.keepSystemCharacters = keepSystemCharacters
    }
}

public struct IntelConfig: Sendable, Equatable {
    public var countryDatabase: String?
    public var asnDatabase: String?
    public var ipRanges: [String]
    public init(countryDatabase: String? = nil, asnDatabase: String? = nil, ipRanges: [String] = []) {
        self.countryDatabase = countryDatabase
        self.asnDatabase = asnDatabase
        self.ipRanges = ipRanges
    }
}

/// Request and token limits; nil means unlimited.
public struct LimitSet: Sendable, Hashable {
    public var requestsPerMinute: Int?
    public var inputTokensPerMinute: Int?
    public var outputTokensPerMinute: Int?
    public var requestsPerDay: Int?
    public var inputTokensPerDay: Int?
    public var outputTokensPerDay: Int?
    /// Requests in flight at once (counted per account only).
    public var concurrent: Int?

    public init(requestsPerMinute: Int? = nil, inputTokensPerMinute: Int? = nil, outputTokensPerMinute: Int? = nil,
                requestsPerDay: Int? = nil, inputTokensPerDay: Int? = nil, outputTokensPerDay: Int? = nil,
                concurrent: Int? = nil) {
        self.requestsPerMinute = requestsPerMinute
        self.inputTokensPerMinute = inputTokensPerMinute
        self.outputTokensPerMinute = outputTokensPerMinute
        self.requestsPerDay = requestsPerDay
        self.inputTokensPerDay = inputTokensPerDay
        self.outputTokensPerDay = outputTokensPerDay
        self.concurrent = concurrent
    }

    /// The limits scaled by `factor` (a `throttle` verdict), never below 1.
    public func scaled(by factor: Double) -> LimitSet {
        func s(_ v: Int?) -> Int? { v.map { max(1, Int((Double($0) * factor).rounded(.down))) } }
        return LimitSet(
            requestsPerMinute: s(requestsPerMinute), inputTokensPerMinute: s(inputTokensPerMinute),
            outputTokensPerMinute: s(outputTokensPerMinute), requestsPerDay: s(requestsPerDay),
            inputTokensPerDay: s(inputTokensPerDay), outputTokensPerDay: s(outputTokensPerDay),
            concurrent: s(concurrent))
    }

    public var isEmpty: Bool { self == LimitSet() }
}

/// What to do with requests from anonymising networks (VPN, Tor, proxies, datacenters).
public enum AnonymizerPolicy: String, Sendable, Hashable {
    /// Let them through untouched.
    case allow
    /// Let them through, counted in metrics and logged.
    case flag
    /// Refuse them.
    case deny
}

/// What one verification tier may use, and its limits.
public struct TierPolicy: Sendable, Equatable {
    /// Limits per account (and per key and organisation unless those are given).
    public var limits: LimitSet
    public var keyLimits: LimitSet?
    public var orgLimits: LimitSet?
    /// Model names or prefixes ending in `*`; nil allows every model.
    public var models: [String]?
    public var visibleReasoning: Bool
    /// Output cap: a larger `max_tokens` is lowered to it.
    public var maxOutputTokens: Int?
    public var tools: Bool
    public var denyCountries: Set<String>
    /// When set, only these countries.
    public var allowCountries: Set<String>?
    /// Network kinds (`vpn`, `tor`, `proxy`, `datacenter`, ...) the anonymiser policy applies to.
    public var anonymizerKinds: Set<String>
    public var anonymizers: AnonymizerPolicy
    /// Addresses let through whatever their country or network kind.
    public var allowAddresses: [CIDR]

    public init(
        limits: LimitSet = LimitSet(), keyLimits: LimitSet? = nil, orgLimits: LimitSet? = nil, models: [String]? = nil,
        visibleReasoning: Bool = true, maxOutputTokens: Int? = nil, tools: Bool = true,
        denyCountries: Set<String> = [], allowCountries: Set<String>? = nil,
        anonymizerKinds: Set<String> = ["vpn", "tor", "proxy"], anonymizers: AnonymizerPolicy = .allow,
        allowAddresses: [CIDR] = []
    ) {
        self.limits = limits
        self.keyLimits = keyLimits
        self.orgLimits = orgLimits
        self.models = models
        self.visibleReasoning = visibleReasoning
        self.maxOutputTokens = maxOutputTokens
        self.tools = tools
        self.denyCountries = denyCountries
        self.allowCountries = allowCountries
        self.anonymizerKinds = anonymizerKinds
        self.anonymizers = anonymizers
        self.allowAddresses = allowAddresses
    }

    public func allows(model: String) -> Bool {
        guard let models else { return true }
        return models.contains { pattern in
            pattern.hasSuffix("*") ? model.hasPrefix(pattern.dropLast()) : model == pattern
        }
    }

    /// Defaults in the spirit of providers' published tiers: stronger verification unlocks more.
    public static let defaults: [Tier: TierPolicy] = [
        .free: TierPolicy(
            limits: LimitSet(requestsPerMinute: 5, inputTokensPerMinute: 10_000, outputTokensPerMinute: 2_000,
                             requestsPerDay: 100, concurrent: 2),
            visibleReasoning: false, maxOutputTokens: 1024, tools: false, anonymizers: .deny),
        .email: TierPolicy(
            limits: LimitSet(requestsPerMinute: 20, inputTokensPerMinute: 40_000, outputTokensPerMinute: 8_000,
                             requestsPerDay: 1_000, concurrent: 4),
            visibleReasoning: false, maxOutputTokens: 4096, anonymizers: .flag),
        .card: TierPolicy(
            limits: LimitSet(requestsPerMinute: 60, inputTokensPerMinute: 200_000, outputTokensPerMinute: 40_000,
                             concurrent: 10),
            maxOutputTokens: 16_384, anonymizers: .flag),
        .id: TierPolicy(
            limits: LimitSet(requestsPerMinute: 600, inputTokensPerMinute: 2_000_000, outputTokensPerMinute: 400_000,
                             concurrent: 50),
            maxOutputTokens: 65_536, anonymizers: .flag),
        .enterprise: TierPolicy(limits: LimitSet(concurrent: 1000), anonymizers: .allow),
    ]
}

/// How verdicts change what an account gets.
public struct VerdictPolicy: Sendable, Equatable {
    /// `throttle` multiplies every limit by this.
    public var throttleFactor: Double
    /// `degrade` lowers `max_tokens` to this and withholds visible reasoning.
    public var degradeMaxOutputTokens: Int
    public init(throttleFactor: Double = 0.1, degradeMaxOutputTokens: Int = 512) {
        self.throttleFactor = throttleFactor
        self.degradeMaxOutputTokens = degradeMaxOutputTokens
    }
}
