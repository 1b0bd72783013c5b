import NIOCore

/// The process entry: parses the command line and runs the command.
@main
enum Entry {
    static func main() async {
        // The servers run a request's async work on its connection's event loop (EventLoopTaskExecutor in
        // HydraguardGateway); the loops are not Swift's global executor, so that a library task that holds a
        // lock across a suspension cannot deadlock a loop.
        let command = CommandLine.arguments.dropFirst().first
        if command == "gateway" || command == "upstream-stub" {
            // `gateway --event-loops N`: the threads must be chosen before the group starts, so before
            // the command is parsed (ArgumentParser checks the value again).
            if let n = Self.eventLoops(CommandLine.arguments), n > 0 { NIOSingletons.groupLoopCountSuggestion = n }
        }
        await Hydraguard.main()
    }

    /// The value of `--event-loops N` or `--event-loops=N`, if given.
    static func eventLoops(_ arguments: [String]) -> Int? {
        for (i, argument) in arguments.enumerated() {
            if argument == "--event-loops", i + 1 < arguments.count { return Int(arguments[i + 1]) }
            if argument.hasPrefix("--event-loops=") { return Int(argument.dropFirst("--event-loops=".count)) }
        }
        return nil
    }
}
