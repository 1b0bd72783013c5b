@testable import HydraguardGateway
import NIOCore
import NIOPosix
import Testing

@Suite struct EventLoopTaskExecutorTests {
    /// Where a task's code ran, at its start and after each kind of suspension.
    struct Trace: Sendable, Equatable {
        var atStart = false
        var afterSleep = false
        var afterOtherLoop = false
        var afterChild = false
    }

    @Test func aLoopTaskRunsOnItsLoopAcrossSuspensions() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loop = group.next()
        let other = group.next()
        #expect(loop !== other)
        let trace = try await loop.makeFutureWithLoopTask { () async throws -> Trace in
            var trace = Trace(atStart: loop.inEventLoop)
            try await Task.sleep(for: .milliseconds(5))
            trace.afterSleep = loop.inEventLoop
            // A future completed on another loop resumes the task on its own.
            _ = try await other.submit { other.inEventLoop }.get()
            trace.afterOtherLoop = loop.inEventLoop
            // A child task inherits the preference.
            trace.afterChild = await withTaskGroup(of: Bool.self) { children in
                children.addTask { loop.inEventLoop }
                return await children.next() ?? false
            }
            return trace
        }.get()
        try await group.shutdownGracefully()
        #expect(trace == Trace(atStart: true, afterSleep: true, afterOtherLoop: true, afterChild: true))
    }

    @Test func aLoopTaskPassesOnItsValueAndItsError() async throws {
        struct Failure: Error, Equatable {}
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        #expect(try await loop.makeFutureWithLoopTask { 42 }.get() == 42)
        await #expect(throws: Failure.self) {
            try await loop.makeFutureWithLoopTask { () async throws -> Int in throw Failure() }.get()
        }
        try await group.shutdownGracefully()
    }

    @Test func eachLoopHasOneExecutor() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let a = group.next()
        let b = group.next()
        #expect(EventLoopTaskExecutor.for(a) === EventLoopTaskExecutor.for(a))
        #expect(EventLoopTaskExecutor.for(a) !== EventLoopTaskExecutor.for(b))
        #expect(EventLoopTaskExecutor.for(b).loop === b)
        try await group.shutdownGracefully()
    }
}
