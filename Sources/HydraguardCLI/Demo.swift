import ArgumentParser
import Foundation
import HydraguardDetection
import HydraguardEval
import HydraguardLog
import HydraguardSimulator

extension Hydraguard {
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Simulate traffic, audit it, and print the campaigns found and how well they match the truth.",
            discussion: """
                The whole job on embedded defaults, with no server and no data to set up: simulates the \
                `small` preset (honest users of every archetype beside distillation campaigns), audits it with \
                the simulated IP intelligence, prints the campaigns, then scores the findings against the \
                simulator's labels. Everything lands in --out for a look: events, accounts, labels, ranges, \
                findings.json and report.html.

                Example:
                  hydraguard demo --preset small --seed 7 --out out/demo
                """)

        @Option(help: "Simulator preset: \(Scenario.presetNames.joined(separator: ", ")).")
        var preset = "small"

        @Option(help: "Random seed: the same seed gives the same traffic.")
        var seed: UInt64 = 1

        @Option(help: "Folder for the simulated logs and the audit's output.")
        var out = "out/demo"

        func run() async throws {
            let scenario = try Scenario.preset(preset)
            let simulation = try Simulation(scenario: scenario, seed: seed)
            FileHandle.standardError.write(Data("hydraguard: simulating \(preset) (seed \(seed)) into \(out)\n".utf8))
            let summary = try await simulation.write(to: SimulationOutput(directory: out))
            print(summary.table)
            var inputs = try AuditInputs.parse([
                "--events", out, "--accounts", out + "/accounts.jsonl", "--ip-ranges", out + "/ip-ranges.csv",
            ])
            let fm = FileManager.default
            if fm.fileExists(atPath: out + "/country.mmdb") { inputs.geoip = out + "/country.mmdb" }
            if fm.fileExists(atPath: out + "/asn.mmdb") { inputs.asn = out + "/asn.mmdb" }
            let result = try inputs.runAudit(quiet: false)
            let findings = result.findings()
            try findings.write(to: out + "/findings.json")
            try HTMLReport(result: result, findings: findings).render()
                .writeAtomically(to: out + "/report.html")
            print("")
            print(CampaignTable(result: result).render())
            let labels = try Evaluation.readLabels(path: out + "/labels.jsonl")
            let usage = try Evaluation.usage(events: try inputs.expand([out]))
            let report = try Evaluation.score(labels: labels, findings: findings, usage: usage)
            print("")
            print(report.table(bar: .audit))
            print("\nfindings: \(out)/findings.json   report: \(out)/report.html")
        }
    }
}
