public import AsyncHTTPClient
import Foundation
import Synchronization
import HydraguardLog
public import HydraguardStore
public import Logging

/// The counter behind request ids, from a random start.
private let requestCounter = Atomic<UInt64>(UInt64.random(in: .min ... .max))

/// The gateway: identity, tiers, verdicts, limits and geofencing in front of an Anthropic- or
/// OpenAI-compatible API. One instance serves every request; build its servers with
/// ``buildGatewayApplication(_:)`` and ``buildAdminApplication(_:)``.
///
/// ```swift
/// let gateway = Gateway(config: config, store: store, httpClient: .shared, logger: logger)
/// let app = buildGatewayApplication(gateway)
/// try await app.runService()
/// ```
public final class Gateway: Sendable {
    /// The config the gateway started with. The sections a reload changes (``GatewayConfig/liveKeys``)
    /// are read from ``currentConfig``.
    public let config: GatewayConfig
    /// The file the config came from, read again by ``reload()``; nil when built without one.
    public let configPath: String?
    public let store: Store
    public let limiter: Limiter
    public let recorder: RecordWriter
    public let metrics: GatewayMetrics
    /// The address intelligence in force (replaced by ``reload()``).
    public var intel: (any AddressIntelligence)? { addresses.intelligence().intel }
    public let logger: Logger
    let httpClient: HTTPClient
    /// Plain-HTTP upstreams: keep-alive connections per event loop (HTTPS ones go through `httpClient`).
    let pool: UpstreamPool?
    let cache: PrincipalCache
    /// The settings in force, swapped by a reload.
    let live: Mutex<LiveSettings>
    /// The address intelligence, and what is known of each client address seen lately.
    let addresses: AddressCache
    /// Held by a reload, so that two reloads do not cross.
    let reloading = Mutex<Void>(())

    public init(
        config: GatewayConfig, store: Store, httpClient: HTTPClient, logger: Logger, clock: GatewayClock = .system,
        intel: (any AddressIntelligence)? = nil, metrics: GatewayMetrics = GatewayMetrics(), cacheSeconds: Double = 1,
        journal: RecordJournal? = nil, configPath: String? = nil
    ) {
        self.config = config
        self.configPath = configPath
        self.store = store
        self.httpClient = httpClient
        pool = UpstreamPool(url: config.upstream.url)
        self.logger = logger
        addresses = AddressCache(intel: intel)
        self.metrics = metrics
        if intel != nil { metrics.intelLoaded() }
        limiter = Limiter(clock: clock)
        recorder = RecordWriter(store: store, config: config.records, logger: logger, metrics: metrics, journal: journal)
        cache = PrincipalCache(store: store, ttl: cacheSeconds, clock: clock)
        live = Mutex(LiveSettings(config))
    }

    /// The settings in force (one lock; take it once per step of a request).
    var settings: LiveSettings { live.withLock { $0 } }

    /// The config in force: the one the gateway started with, with the live sections
    /// (``GatewayConfig/liveKeys``) as of the last ``reload()``.
    public var currentConfig: GatewayConfig { settings.config }

    /// The policy of `tier` in force (``GatewayConfig/policy(for:)``, worked out once per reload).
    func policy(for tier: Tier) -> TierPolicy { settings.policy(for: tier) }

    /// The address parsed, looked up in the address intelligence and with its limit prefix: from the cache
    /// when seen lately (a reload of the intelligence empties it).
    func facts(about ip: String) -> AddressFacts {
        if let known = addresses.facts(ip) { return known }
        let (intel, generation) = addresses.intelligence()
        let address = GatewayAddress(ip)
        let facts = AddressFacts(
            address: address, info: intel?.lookup(ip) ?? AddressInfo(), limitPrefix: address?.limitPrefix, fromIntelligence: intel != nil)
        addresses.remember(ip, facts, generation: generation)
        return facts
    }

    /// Closes the idle upstream connections (the HTTP client, the caller's, is shut down by the caller).
    public func shutdown() { pool?.shutdown() }

    /// Forgets cached keys, accounts and verdicts (after an admin change).
    public func invalidateCache() { cache.invalidateAll() }

    /// The client address: the socket peer, or, when the peer is a trusted proxy, the rightmost
    /// `x-forwarded-for` entry that is not itself a trusted proxy.
    func clientAddress(socket: String?, forwardedFor: String?) -> String {
        let peer = socket ?? "0.0.0.0"
        let trusted = settings.config.trustedProxies
        guard let forwardedFor, isTrustedProxy(peer, trusted) else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard let address = GatewayAddress(hop) else { return peer }
            if !trusted.contains(where: { $0.contains(address) }) { return hop }
        }
        return hops.first ?? peer
    }

    /// Whether `peer` is one of `trusted` (the settings' trusted proxies when not given).
    func isTrustedProxy(_ peer: String?, _ trusted: [CIDR]? = nil) -> Bool {
        let trusted = trusted ?? settings.config.trustedProxies
        guard !trusted.isEmpty, let peer, let address = GatewayAddress(peer) else { return false }
        return trusted.contains { $0.contains(address) }
    }

    /// The longest TLS fingerprint recorded; a longer header value is cut (a JA4 is 36 characters).
    static let maxFingerprintCharacters = 128

    /// A request id, unique within the process: a counter from a random start, mixed by SplitMix64 (a
    /// bijection, so no two ids repeat) so that ids do not reveal request volume. No system call.
    static func requestID() -> String {
        var z = requestCounter.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        // "req_" and the number in base 36 (at most 13 digits), written in one buffer.
        return String(unsafeUninitializedCapacity: 17) { out in
            for (i, byte) in "req_".utf8.enumerated() { out[i] = byte }
            var count = 1
            var n = z
            while n >= 36 {
                n /= 36
                count += 1
            }
            var v = z
            for i in stride(from: 4 + count - 1, through: 4, by: -1) {
                let d = UInt8(truncatingIfNeeded: v % 36)
                out[i] = d < 10 ? 0x30 + d : 0x61 + d - 10
                v /= 36
            }
            return 4 + count
        }
    }
}

extension Gateway {
    /// The client for HTTPS upstreams the gateway is meant to run with: a large keep-alive pool, no retries of a
    /// refused connection (so that a down upstream is a quick 502), bodies passed through undecoded, and
    /// a read timeout (`readTimeoutMs` without a byte from the upstream, e.g. `upstream.timeout_ms`) that
    /// ends a stalled body or stream. The caller owns it and shuts it down.
    public static func makeHTTPClient(connectTimeoutMs: Int = 5000, readTimeoutMs: Int? = nil) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(
            connect: .milliseconds(Int64(connectTimeoutMs)), read: readTimeoutMs.map { .milliseconds(Int64($0)) })
        configuration.decompression = .disabled
        configuration.tracing.tracer = nil  // no span per request: the gateway's records are its trace
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}
