import NIOCore
import Synchronization

/// Runs the jobs of the tasks that prefer it on one event loop.
///
/// A request's async work (a streamed answer, an exchange through AsyncHTTPClient, the model list) runs on
/// the event loop of the request's connection, beside its socket, instead of on Swift's global pool with a
/// hop between the two at every `await`. Everything else in the process (Hummingbird's and
/// ServiceLifecycle's tasks) stays on the global pool: the loops are deliberately not installed as Swift's
/// global executor. Installed, a library task that holds a lock across a suspension can deadlock a loop,
/// because its resumption may be queued on the very loop that is blocked waiting for the lock. That is
/// what swift-async-algorithms' `merge` does up to 1.1.4, the version here (apple/swift-async-algorithms#430),
/// under ServiceLifecycle's `cancelOnGracefulShutdown()` in Hummingbird's date cache; it hung a gateway
/// here once, at shutdown after a benchmark run.
///
/// ```swift
/// Task(executorPreference: EventLoopTaskExecutor.for(channel.eventLoop)) { await stream(writer) }
/// ```
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    private init(loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// One executor per loop, kept for the life of the process (a loop's tasks may outlive any one request).
    private static let executors = Mutex<[ObjectIdentifier: EventLoopTaskExecutor]>([:])

    /// The executor of `loop`.
    static func `for`(_ loop: any EventLoop) -> EventLoopTaskExecutor {
        executors.withLock { executors in
            let id = ObjectIdentifier(loop)
            if let executor = executors[id] { return executor }
            let executor = EventLoopTaskExecutor(loop: loop)
            executors[id] = executor
            return executor
        }
    }
}

extension EventLoop {
    /// The future of `body`, run in a task that prefers this loop (see ``EventLoopTaskExecutor``).
    func makeFutureWithLoopTask<Value: Sendable>(
        _ body: @escaping @Sendable () async throws -> Value
    ) -> EventLoopFuture<Value> {
        let promise = makePromise(of: Value.self)
        Task(executorPreference: EventLoopTaskExecutor.for(self)) {
            do { promise.succeed(try await body()) } catch { promise.fail(error) }
        }
        return promise.futureResult
    }
}
