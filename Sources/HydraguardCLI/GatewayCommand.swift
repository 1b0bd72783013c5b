import ArgumentParser
import AsyncHTTPClient
import Foundation
import HydraguardGateway
import HydraguardStore
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

extension Hydraguard {
    struct Gateway: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gateway",
            abstract: "Run the reverse proxy that enforces keys, tiers, verdicts, limits and geofencing.",
            discussion: """
                The gateway sits in front of any Anthropic- or OpenAI-compatible API (POST /v1/messages, \
                POST /v1/chat/completions, GET /v1/models). Clients keep their official SDKs and point \
                base_url at it. Every request, answered or refused, is recorded in the usage-log format in \
                the store (SQLite, WAL) and, if configured, in rotated JSON Lines files.

                A minimal config (see docs/gateway.md for every key):
                  listen: {host: 127.0.0.1, port: 8080}
                  admin: {host: 127.0.0.1, port: 8081, token_env: HYDRAGUARD_ADMIN_TOKEN}
                  upstream: {url: "http://127.0.0.1:9000", timeout_ms: 60000}
                  store: {path: hydraguard.sqlite, key_hash_secret_env: HYDRAGUARD_KEY_SECRET}

                SIGHUP (or POST /admin/reload) reads the config again and puts its tiers, per_prefix, \
                per_asn, verdicts, trusted_proxies and intel in force, with the intelligence files read \
                again; any other change takes a restart.

                Try it against the stub:
                  hydraguard upstream-stub --port 9000 &
                  hydraguard keys create --config hydraguard.yaml --account acct_1 --tier card
                  hydraguard gateway --config hydraguard.yaml
                """)

        @Option(help: "YAML config file.")
        var config: String

        @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
        var logLevel: String = "info"

        @Option(
            help: ArgumentHelp(
                "Event-loop threads that serve requests (default: one per core).",
                discussion: "Fewer than the cores when the machine also runs other work, e.g. the upstream or a load generator."
            )
        )
        var eventLoops: Int?

        @Flag(
            help: ArgumentHelp(
                "Check the config and the address intelligence files it names, then exit.",
                discussion: """
                    Exits 0 when the gateway could start with them; otherwise names the file, line and key, and exits 64. \
                    Run it before a SIGHUP: a reload refuses the same errors, but this shows them first. The \
                    store is not opened.
                    """))
        var check = false

        func validate() throws {
            if let eventLoops, eventLoops < 1 { throw ValidationError("--event-loops must be at least 1") }
        }

        func run() async throws {
            let level = Logger.Level(rawValue: logLevel) ?? .info
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let logger = Logger(label: "hydraguard.gateway")
            let parsed: GatewayConfig
            do {
                parsed = try GatewayConfig.load(path: config)
            } catch let error as ConfigError {
                throw ValidationError(error.description)
            }
            if check {
                try checkConfig(parsed)
                return
            }
            // Trapped before the store and the journal are opened (which can take a while after a crash), so
            // that a SIGHUP from then on reloads rather than ends the process; one that arrives before the
            // gateway serves waits for it.
            let hangups = await UnixSignalsSequence(trapping: .sighup)
            let store = try openStore(parsed, configPath: config, backgroundCheckpoints: true)
            let client = HydraguardGateway.Gateway.makeHTTPClient(readTimeoutMs: parsed.upstream.timeoutMs)
            let intel = try loadIntelligence(parsed.intel, configPath: config)
            let journal = try openJournal(parsed, store: store, logger: logger)
            let gateway = HydraguardGateway.Gateway(
                config: parsed, store: store, httpClient: client, logger: logger, intel: intel, journal: journal,
                configPath: config)
            var services: [any Service] = [
                buildGatewayApplication(gateway), ReloadOnHangup(gateway: gateway, signals: hangups),
            ]
            if parsed.admin.token != nil {
                services.append(buildAdminApplication(gateway))
            } else {
                logger.warning("no admin token configured: the admin API is off")
            }
            logger.info(
                "gateway starting",
                metadata: [
                    "hydraguard.listen": "\(parsed.listen.host):\(parsed.listen.port)",
                    "hydraguard.upstream": "\(parsed.upstream.url)", "hydraguard.store": "\(parsed.store.path)",
                ])
            let group = ServiceGroup(
                configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            do {
                try await group.run()
            } catch {
                gateway.shutdown()
                try? await client.shutdown()
                throw error
            }
            gateway.shutdown()
            try await client.shutdown()
        }
    }
}

extension Hydraguard.Gateway {
    /// `--check`: what `run` would refuse before it opens the store, with a summary when nothing is wrong.
    func checkConfig(_ parsed: GatewayConfig) throws {
        try requireKeyHashSecret(parsed, configPath: config)
        let intel = try loadIntelligence(parsed.intel, configPath: config) as? IntelAddressLookup
        let sources = parsed.intel.files
        let admin = parsed.admin.token == nil ? "off" : "\(parsed.admin.listen.host):\(parsed.admin.listen.port)"
        let intelSummary = sources.isEmpty ? "none" : "\(sources.count) files, \(intel?.intel.ranges.entries.count ?? 0) ranges"
        print(
            "\(config): ok: listen \(parsed.listen.host):\(parsed.listen.port), upstream \(parsed.upstream.url), "
                + "admin \(admin), intel \(intelSummary)")
    }
}

/// Reloads the config and the address intelligence on each SIGHUP (``HydraguardGateway/Gateway/reload()``,
/// which logs the outcome) until the gateway shuts down.
struct ReloadOnHangup: Service {
    let gateway: HydraguardGateway.Gateway
    let signals: UnixSignalsSequence

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in self.signals {
                _ = try? await self.gateway.reload()
            }
        }
    }
}

/// The record journal beside a store on disk (`<store>-records/`), unless the config turns it off; its
/// start commits what a crash left in it.
func openJournal(_ config: GatewayConfig, store: Store, logger: Logger) throws -> RecordJournal? {
    guard config.records.journal, config.store.path != ":memory:" else { return nil }
    do {
        return try RecordJournal.open(
            directory: config.store.path + "-records", store: store, fsync: config.store.synchronousFull, logger: logger)
    } catch let error as JournalError {
        throw ValidationError(error.description)
    }
}

/// Refuses a config without the key-hash secret, naming the key.
func requireKeyHashSecret(_ config: GatewayConfig, configPath: String) throws {
    guard !config.store.keyHashSecret.isEmpty else {
        throw ValidationError(
            "\(configPath): store.key_hash_secret: required (give key_hash_secret_env: VARIABLE to read it from the environment)")
    }
}

/// Opens the store a config names; the key-hash secret is required.
func openStore(_ config: GatewayConfig, configPath: String, backgroundCheckpoints: Bool = false) throws -> Store {
    try requireKeyHashSecret(config, configPath: configPath)
    let secret = Data(config.store.keyHashSecret.utf8)
    if config.store.path == ":memory:" { return try Store(inMemoryWithKeyHashSecret: secret) }
    return try Store(
        path: config.store.path, keyHashSecret: secret, synchronousFull: config.store.synchronousFull,
        backgroundCheckpoints: backgroundCheckpoints)
}
