import Foundation
import HydraguardDetection
import HydraguardLog
import Prometheus

/// What `hydraguard audit --every` did, as a Prometheus text file (`--metrics-file`) for node_exporter's
/// textfile collector or any scraper of files: an alert on the last success's age catches a live audit
/// that stopped feeding the gateway, which otherwise fails silently.
final class AuditMetrics {
    let path: String
    let registry = PrometheusCollectorRegistry()
    private let runs: Counter
    private let failures: Counter
    private let lastSuccess: Gauge
    private let lastFailure: Gauge
    private let duration: Gauge
    private let events: Gauge
    private let campaigns: Gauge
    private let changed: Gauge
    private let accounts: [Findings.Verdict: Gauge]

    init(path: String) {
        self.path = path
        func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "hydraguard_audit", metricName: metric, unitName: unit, helpText: help)
        }
        runs = registry.makeCounter(descriptor: name("runs", "total", "Audits that wrote their findings and applied them."))
        failures = registry.makeCounter(descriptor: name("failures", "total", "Audits that failed (retried at the next interval)."))
        lastSuccess = registry.makeGauge(
            descriptor: name("last_success", "timestamp_seconds", "When the last successful audit ended (Unix time)."))
        lastFailure = registry.makeGauge(
            descriptor: name("last_failure", "timestamp_seconds", "When the last failed audit ended (Unix time; 0: none)."))
        duration = registry.makeGauge(descriptor: name("duration", "seconds", "How long the last successful audit took."))
        events = registry.makeGauge(descriptor: name("events", "", "Records the last successful audit read."))
        campaigns = registry.makeGauge(descriptor: name("campaigns", "", "Campaigns the last successful audit found."))
        changed = registry.makeGauge(descriptor: name("verdicts_changed", "", "Verdicts the last successful audit changed."))
        var accounts: [Findings.Verdict: Gauge] = [:]
        for verdict in Findings.Verdict.allCases {
            accounts[verdict] = registry.makeGauge(
                descriptor: name("accounts", "", "Accounts the last successful audit judged, by verdict."),
                labels: [("verdict", verdict.rawValue)])
        }
        self.accounts = accounts
    }

    /// Records a successful audit and writes the file.
    func succeeded(_ result: AuditResult, seconds: Double, changed count: Int?) throws {
        runs.increment()
        lastSuccess.set(Date().timeIntervalSince1970)
        duration.set(seconds)
        events.set(Double(result.eventStatistics.records))
        campaigns.set(Double(result.campaigns.count))
        changed.set(Double(count ?? 0))
        var byVerdict: [Findings.Verdict: Int] = [:]
        for j in result.judged { byVerdict[j.verdict, default: 0] += 1 }
        for (verdict, gauge) in accounts { gauge.set(Double(byVerdict[verdict] ?? 0)) }
        try write()
    }

    /// Records a failed audit and writes the file (the last success's figures stay).
    func failed() throws {
        failures.increment()
        lastFailure.set(Date().timeIntervalSince1970)
        try write()
    }

    /// Writes beside the path and renames into place, so that a scraper never reads half a file.
    func write() throws {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        do {
            try writeFileAtomically(bytes, to: path)
        } catch {
            throw CLIError("\(path): cannot write the metrics: \(error)")
        }
    }
}
