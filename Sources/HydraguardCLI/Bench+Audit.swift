import ArgumentParser
import HydraguardDetection

extension Hydraguard.Bench {
    struct AuditStages: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Run an audit and report the time and items/s of each stage.",
            discussion: """
                The stages: read accounts, ingest events (parse + per-account signals), account signals, prompt \
                templates (MinHash/LSH), account graph, verdicts. Build in release first:
                  swift build -c release --product hydraguard
                  .build/release/hydraguard bench audit --events out/medium --accounts out/medium/accounts.jsonl \\
                      --ip-ranges out/medium/ip-ranges.csv
                Peak memory: run it under /usr/bin/time -v and read "Maximum resident set size".
                """)

        @OptionGroup var inputs: AuditInputs

        func run() async throws {
            let result = try inputs.runAudit(quiet: true)
            print(StageTable(result: result).render())
        }
    }
}
