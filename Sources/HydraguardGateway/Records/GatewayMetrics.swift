import Foundation
public import Prometheus
import Synchronization

/// The gateway's Prometheus metrics, all in one registry served at `/metrics`.
public struct GatewayMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let recordsWritten: Counter
    let recordFailures: Counter
    let recordCommits: Counter
    let journalFailures: Counter
    let upstreamLatency: DurationHistogram
    let inputTokens: Counter
    let outputTokens: Counter
    let reloads: Counter
    let reloadFailures: Counter
    let intelLoadedAt: Gauge
    /// The labelled request counters made so far (the registry's lookup builds names and labels each time).
    private let requestCounters = RequestCounters()

    private final class RequestCounters: Sendable {
        struct Key: Hashable {
            var api: APIFlavor
            var status: Int
            var outcome: String
        }
        let byKey = Mutex<[Key: Counter]>([:])
    }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        recordsWritten = registry.makeCounter(descriptor: Self.name("records_written", "total", "Request records committed to the store."))
        recordFailures = registry.makeCounter(descriptor: Self.name("record_failures", "total", "Request records the store refused."))
        journalFailures = registry.makeCounter(
            descriptor: Self.name("journal_failures", "total", "Request records the record journal could not write."))
        recordCommits = registry.makeCounter(
            descriptor: Self.name("record_commits", "total", "Store transactions that committed request records."))
        upstreamLatency = registry.makeDurationHistogram(
            descriptor: Self.name("upstream", "seconds", "Time the upstream took, to its last byte."),
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500),
                      .seconds(2), .seconds(10), .seconds(60)])
        inputTokens = registry.makeCounter(descriptor: Self.name("input_tokens", "total", "Input tokens billed."))
        outputTokens = registry.makeCounter(descriptor: Self.name("output_tokens", "total", "Output tokens billed."))
        reloads = registry.makeCounter(
            descriptor: Self.name("reloads", "total", "Reloads of the config and address intelligence that put them in force."))
        reloadFailures = registry.makeCounter(
            descriptor: Self.name("reload_failures", "total", "Reloads that changed nothing (the settings in force stayed)."))
        intelLoadedAt = registry.makeGauge(
            descriptor: Self.name(
                "intel_loaded", "timestamp_seconds", "When the address intelligence in force was read (Unix time)."))
    }

    /// Counts one answered request by API, status and outcome (`forwarded`, `rate_limited`, ...).
    func request(api: APIFlavor, status: Int, outcome: String) {
        let key = RequestCounters.Key(api: api, status: status, outcome: outcome)
        if let counter = requestCounters.byKey.withLock({ $0[key] }) {
            counter.increment()
            return
        }
        let counter = registry.makeCounter(
            descriptor: Self.name("requests", "total", "Requests by API, status and outcome."),
            labels: [("api", api.rawValue), ("status", "\(status)"), ("outcome", outcome)])
        requestCounters.byKey.withLock { $0[key] = counter }
        counter.increment()
    }

    func reload(succeeded: Bool) {
        (succeeded ? reloads : reloadFailures).increment()
    }

    /// Sets the time the address intelligence in force was read to now.
    func intelLoaded() {
        intelLoadedAt.set(Date().timeIntervalSince1970)
    }

    func flagged(kind: String) {
        registry.makeCounter(
            descriptor: Self.name("flagged_addresses", "total", "Requests let through from flagged networks."),
            labels: [("kind", kind)]).increment()
    }

    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "hydraguard", metricName: metric, unitName: unit, helpText: help)
    }

    /// The text exposition format.
    public func render() -> String {
        registry.emitToString()
    }
}
