import Foundation

/// Developers' instructions to coding agents, and the tool results agents send back.
enum CodingPrompts {
    static let verbs = [
        "Refactor", "Fix", "Add tests for", "Document", "Speed up", "Debug", "Rename the variables in",
        "Add error handling to", "Port", "Review", "Simplify", "Add logging to", "Migrate", "Split up",
        "Type-annotate", "Remove dead code from",
    ]
    static let things = [
        "the retry logic", "the login handler", "the CSV importer", "the cache layer", "the payment webhook",
        "the date parsing helper", "the pagination code", "the websocket reconnect", "the config loader",
        "the image resizer", "the rate limiter", "the search endpoint", "the onboarding flow", "the ORM models",
        "the CLI argument parsing", "the GraphQL resolvers", "the build script", "the feature-flag checks",
    ]
    static let dirs = ["src", "lib", "app", "internal", "pkg", "server", "web/src", "services/api", "core"]
    static let files = [
        "client", "handlers", "utils", "models", "routes", "worker", "store", "parser", "auth", "billing",
        "sync", "jobs", "settings", "views", "schema",
    ]
    static let exts = [".ts", ".py", ".go", ".rs", ".tsx", ".java", ".swift", ".rb", ".kt"]
    static let details = [
        "", " so it uses exponential backoff", " — the test suite fails on CI only",
        " and keep the public API unchanged", ", it's O(n^2) right now", "; the error is `TypeError: undefined is not a function`",
        " to match the new schema in migrations/", " and update the README", " without adding dependencies",
        ", see the stack trace I pasted earlier", " like we did in the orders module", " before the release on Friday",
    ]

    static func instruction(_ rng: inout SeededRandom) -> String {
        let file = "\(rng.pick(dirs))/\(rng.pick(files))\(rng.pick(exts))"
        var text = "\(rng.pick(verbs)) \(rng.pick(things)) in \(file)\(rng.pick(details))."
        if rng.chance(0.3) { text += " Also check line \(rng.int(in: 12...900))." }
        return text
    }

    static let tools = ["run_tests", "read_file", "grep", "bash", "edit_file", "list_dir", "git_diff", "web_fetch"]
    static let outcomes = [
        "{n} passed, {m} failed", "exit code 0", "exit code 1", "No matches found.", "{n} matches in {m} files",
        "Applied edit ({n} lines changed)", "OK", "error: cannot find module", "warning: unused variable",
    ]

    static func toolResult(_ rng: inout SeededRandom) -> String {
        let outcome = rng.pick(outcomes)
            .replacingOccurrences(of: "{n}", with: String(rng.int(in: 1...240)))
            .replacingOccurrences(of: "{m}", with: String(rng.int(in: 0...12)))
        let file = "\(rng.pick(dirs))/\(rng.pick(files))\(rng.pick(exts))"
        return "[tool_result \(rng.pick(tools)) \(file)] \(outcome)"
    }
}
