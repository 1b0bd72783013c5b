import NIOCore
import NIOPosix

/// The process entry: parses the command line and runs the command.
@main
enum Entry {
    static func main() async {
        // The servers run Swift Concurrency on NIO's event loops, so that a request's async code and its
        // socket I/O share threads instead of hopping between two pools at every await (measured: the
        // gateway spent more of its CPU on those hops than on its own work). Only from the main thread,
        // before any task has been enqueued: hence here, before the command is even parsed.
        let command = CommandLine.arguments.dropFirst().first
        if command == "gateway" || command == "upstream-stub" {
            _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        await Hydraguard.main()
    }
}
