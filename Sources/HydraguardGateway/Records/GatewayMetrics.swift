public import Prometheus

/// The gateway's Prometheus metrics, all in one registry served at `/metrics`.
public struct GatewayMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let recordsWritten: Counter
    let recordFailures: Counter
    let upstreamLatency: DurationHistogram
    let inputTokens: Counter
    let outputTokens: Counter

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        recordsWritten = registry.makeCounter(name: "hydraguard_records_written_total")
        recordFailures = registry.makeCounter(name: "hydraguard_record_failures_total")
        upstreamLatency = registry.makeDurationHistogram(
            name: "hydraguard_upstream_seconds",
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500),
                      .seconds(2), .seconds(10), .seconds(60)])
        inputTokens = registry.makeCounter(name: "hydraguard_input_tokens_total")
        outputTokens = registry.makeCounter(name: "hydraguard_output_tokens_total")
    }

    /// Counts one answered request by API, status and outcome (`forwarded`, `rate_limited`, ...).
    func request(api: APIFlavor, status: Int, outcome: String) {
        registry.makeCounter(
            name: "hydraguard_requests_total",
            labels: [("api", api.rawValue), ("status", "\(status)"), ("outcome", outcome)]
        ).increment()
    }

    func flagged(kind: String) {
        registry.makeCounter(name: "hydraguard_flagged_addresses_total", labels: [("kind", kind)]).increment()
    }

    /// The text exposition format.
    public func render() -> String {
        registry.emitToString()
    }
}
