import ArgumentParser

struct Hydraguard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hydraguard",
        abstract: "Find and stop distillation attacks on an LLM API.",
        discussion: """
            hydraguard reads API usage logs, finds the accounts that harvest a model's answers to train \
            another model, and ties them into the campaigns that run them.

            Try it on simulated traffic:
              hydraguard simulate --preset small --out out/small
              hydraguard audit --events out/small/events.jsonl.gz --accounts out/small/accounts.jsonl \\
                  --out out/small/findings.json --report out/small/report.html
              hydraguard eval --labels out/small/labels.jsonl --findings out/small/findings.json
            """,
        version: "0.1.0",
        subcommands: [
            Demo.self, Simulate.self, Audit.self, Eval.self, Gateway.self, Keys.self, UpstreamStubCommand.self, Bench.self,
        ]
    )
}
