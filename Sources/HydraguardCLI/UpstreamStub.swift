import ArgumentParser
import HydraguardGateway
import Hummingbird
import Logging

extension Hydraguard {
    struct UpstreamStubCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "upstream-stub",
            abstract: "Serve a small deterministic model API (Anthropic and OpenAI formats) for demos, tests and benchmarks.",
            discussion: """
                Answers POST /v1/messages and POST /v1/chat/completions, streamed or not, and GET /v1/models, \
                with text that depends only on the request and usage counts that are real counts of its \
                tokens (words). It is never part of the gateway: point the gateway's upstream.url at it.

                Examples:
                  hydraguard upstream-stub --port 9000
                  hydraguard upstream-stub --port 9000 --delay-ms 5000      # a slow upstream (504 tests)
                  hydraguard upstream-stub --port 9000 --event-delay-ms 20  # a slow stream
                """)

        @Option(help: "Address to listen on.")
        var host: String = "127.0.0.1"

        @Option(help: "Port to listen on (0 picks a free one).")
        var port: Int = 9000

        @Option(help: "Milliseconds to wait before answering.")
        var delayMs: Int = 0

        @Option(help: "Milliseconds to wait between streamed events.")
        var eventDelayMs: Int = 0

        @Option(help: "Milliseconds between the head and the body of a non-streamed answer (a stalled body).")
        var bodyDelayMs: Int = 0

        func run() async throws {
            var logger = Logger(label: "hydraguard.upstream-stub")
            logger.logLevel = .warning
            let app = buildUpstreamStubApplication(
                UpstreamStubConfig(host: host, port: port, delayMs: delayMs, eventDelayMs: eventDelayMs, bodyDelayMs: bodyDelayMs), logger: logger)
            try await app.runService()
        }
    }
}
