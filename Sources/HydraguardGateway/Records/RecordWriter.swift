import Foundation
public import HydraguardLog
public import HydraguardStore
public import Logging
public import ServiceLifecycle
import Synchronization

/// Writes request records to the store in group commits (one transaction for everything that arrived
/// while the last one was being written) and, when configured, to rotated JSON Lines files.
///
/// `record(_:)` returns once its record is committed to SQLite when `waitForCommit` is on, so that an
/// answered request is never lost to a process crash.
public final class RecordWriter: Service, Sendable {
    struct Pending {
        var events: [UsageEvent] = []
        var waiters: [CheckedContinuation<Void, Never>] = []
        var closed = false
    }

    private let store: Store
    private let config: RecordsConfig
    private let logger: Logger
    private let pending = Mutex(Pending())
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>
    private let metrics: GatewayMetrics?

    public init(store: Store, config: RecordsConfig, logger: Logger, metrics: GatewayMetrics? = nil) {
        self.store = store
        self.config = config
        self.logger = logger
        self.metrics = metrics
        (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues a record; waits for its commit when `waitForCommit` is on.
    public func record(_ event: UsageEvent) async {
        if config.waitForCommit {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let accepted = pending.withLock { p -> Bool in
                    guard !p.closed else { return false }
                    p.events.append(event)
                    p.waiters.append(continuation)
                    return true
                }
                if accepted {
                    wake.yield()
                } else {
                    // After shutdown: write it directly rather than lose it.
                    try? store.insertUsage([event])
                    continuation.resume()
                }
            }
        } else {
            let accepted = pending.withLock { p -> Bool in
                guard !p.closed else { return false }
                p.events.append(event)
                return true
            }
            if accepted { wake.yield() } else { try? await store.insertUsage([event]) }
        }
    }

    public func run() async throws {
        var jsonl = JSONLRotator(config: config, logger: logger)
        // A store opened with background checkpoints is checkpointed here, every second, off the commits.
        let checkpoints = Task { [store, logger] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                if Task.isCancelled { break }
                do { try await store.checkpoint() } catch is CancellationError {
                    break
                } catch {
                    logger.warning("store checkpoint failed", metadata: ["error": "\(error)"])
                }
            }
        }
        defer { checkpoints.cancel() }
        for await _ in wakes.cancelOnGracefulShutdown() {
            await drain(&jsonl)
        }
        pending.withLock { $0.closed = true }
        await drain(&jsonl)
        jsonl.close()
    }

    private func drain(_ jsonl: inout JSONLRotator) async {
        while true {
            let batch = pending.withLock { p -> Pending in
                let taken = p
                p.events.removeAll(keepingCapacity: true)
                p.waiters.removeAll(keepingCapacity: true)
                return taken
            }
            if batch.events.isEmpty { return }
            do {
                try await store.insertUsage(batch.events)
                metrics?.recordsWritten.increment(by: Int64(batch.events.count))
            } catch {
                metrics?.recordFailures.increment(by: Int64(batch.events.count))
                logger.error(
                    "could not write request records",
                    metadata: ["hydraguard.records": "\(batch.events.count)", "error": "\(error)"])
            }
            // Answers wait for the commit only; the JSON Lines copy is written after they go.
            for waiter in batch.waiters { waiter.resume() }
            jsonl.write(batch.events)
        }
    }
}

/// JSON Lines files under a directory, one per period or record count: `events-<start>.jsonl`, each
/// published (renamed into place) when it is rotated out or at shutdown.
struct JSONLRotator {
    let config: RecordsConfig
    let logger: Logger
    private var writer: JSONLinesWriter<UsageEvent>?
    private var openedAt = Date()
    private var sequence = 0

    init(config: RecordsConfig, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    mutating func write(_ events: [UsageEvent]) {
        guard let directory = config.jsonlDirectory else { return }
        do {
            for event in events {
                if let w = writer,
                    w.count >= config.rotateRecords || Date().timeIntervalSince(openedAt) >= Double(config.rotateSeconds)
                {
                    try w.finish()
                    writer = nil
                }
                if writer == nil {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                    openedAt = Date()
                    sequence += 1
                    let stamp = Timestamp(secondsSince1970: openedAt.timeIntervalSince1970).rfc3339
                        .replacingOccurrences(of: ":", with: "")
                    writer = try JSONLinesWriter<UsageEvent>(
                        path: "\(directory)/events-\(stamp)-\(sequence).jsonl")
                }
                try writer!.write(event)
            }
        } catch {
            logger.error("could not write JSON Lines records", metadata: ["error": "\(error)"])
        }
    }

    mutating func close() {
        do { try writer?.finish() } catch {
            logger.error("could not publish JSON Lines records", metadata: ["error": "\(error)"])
        }
        writer = nil
    }
}
