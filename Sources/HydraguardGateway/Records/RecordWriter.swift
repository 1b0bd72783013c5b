import Foundation
public import HydraguardLog
public import HydraguardStore
public import Logging
public import ServiceLifecycle
import Synchronization
public import NIOCore
import NIOPosix

/// Writes request records to the store and, when configured, to rotated JSON Lines files.
///
/// With a ``RecordJournal`` (the gateway's default for a store on disk), each event loop gathers the
/// records it finishes in one pass of the loop and appends them to the journal with one write at the end
/// of the pass; ``record(_:on:)`` completes when that write returns, on the loop, with no thread hop. The
/// writer thread commits the journalled records to the store in one transaction every
/// `commitIntervalMs`. Without a journal, records are committed in group commits (everything that
/// arrived while the last commit ran), and ``record(_:on:)`` completes once its record's commit has; the
/// waiters of one commit are released with one hop to each loop.
///
/// Either way, with `waitForCommit` on, an answered request's record survives a crash of the process.
/// Commits run on a thread of their own, never on an event loop.
public final class RecordWriter: Service, Sendable {
    typealias Waiter = RecordWaiter

    struct Pending {
        var events: [UsageEvent] = []
        var waiters: [Waiter] = []
        /// A drain is queued or running on the writer thread: records added now are taken by it.
        var draining = false
        var closed = false
    }

    /// The records one event loop finished in its current pass, journalled together at its end.
    final class LoopBatch: @unchecked Sendable {
        // @unchecked: touched only on its own event loop.
        struct Records {
            var lines = JSONOutput(capacity: 16 << 10)
            var events: [UsageEvent] = []
            var waiters: [RecordWaiter] = []

            mutating func removeAll() {
                lines.removeAll()
                events.removeAll(keepingCapacity: true)
                waiters.removeAll(keepingCapacity: true)
            }
        }

        /// What the pass gathers.
        var gathering = Records()
        /// What the last flush journalled, kept for its capacity: the two swap at each flush.
        var flushed = Records()
        var scheduled = false
    }

    private let store: Store
    private let config: RecordsConfig
    private let logger: Logger
    private let pending = Mutex(Pending())
    private let metrics: GatewayMetrics?
    /// Records ahead of the store; nil to commit before answering instead.
    public let journal: RecordJournal?
    private let batches = Mutex<[ObjectIdentifier: LoopBatch]>([:])
    /// The one thread that commits (and writes JSON Lines), so that drains never overlap.
    private let thread: NIOThreadPool
    /// Touched only on `thread`.
    private let writerState: WriterState
    private let stopped = Atomic(false)
    /// A journal commit failed and is to be tried again.
    private let retryPending = Atomic(false)

    public init(
        store: Store, config: RecordsConfig, logger: Logger, metrics: GatewayMetrics? = nil, journal: RecordJournal? = nil
    ) {
        self.store = store
        self.config = config
        self.logger = logger
        self.metrics = metrics
        self.journal = journal
        thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        // The JSON Lines copy is written from the journal's lines rather than encoded a second time.
        if config.jsonlDirectory != nil { journal?.keepLines() }
        writerState = WriterState(JSONLRotator(config: config, logger: logger))
    }

    /// Queues a record; call on `loop`. The future completes on `loop` once the record is safe (journalled,
    /// or committed without a journal) when `waitForCommit` is on, else at once. It never fails: a record
    /// the store refuses is counted and logged.
    public func record(_ event: UsageEvent, on loop: any EventLoop) -> EventLoopFuture<Void> {
        guard loop.inEventLoop else { return loop.flatSubmit { self.record(event, on: loop) } }
        let promise = loop.makePromise(of: Void.self)
        record(event, on: loop) { promise.succeed() }
        return promise.futureResult
    }

    /// Queues a record from `loop` (call on it) and calls `then` on `loop` once the record is safe, as
    /// ``record(_:on:)`` completes its future: the request path's form, with no future to make and complete.
    func record(_ event: UsageEvent, on loop: any EventLoop, then: @escaping () -> Void) {
        loop.preconditionInEventLoop()
        if journal != nil {
            let batch = self.batch(for: loop)
            event.encode(into: &batch.gathering.lines)
            batch.gathering.lines.bytes.append(0x0A)
            batch.gathering.events.append(event)
            if !batch.scheduled {
                batch.scheduled = true
                // After the rest of this pass of the loop: the records of every answer it finished go in
                // one write.
                loop.execute { self.flush(batch) }
            }
            guard config.waitForCommit else { return then() }
            batch.gathering.waiters.append(RecordWaiter(loop: loop, resume: then))
            return
        }
        guard config.waitForCommit else {
            enqueue(event, waiter: nil)
            return then()
        }
        enqueue(event, waiter: RecordWaiter(loop: loop, resume: then))
    }

    private func batch(for loop: any EventLoop) -> LoopBatch {
        let id = ObjectIdentifier(loop)
        return batches.withLock { batches in
            if let batch = batches[id] { return batch }
            let batch = LoopBatch()
            batches[id] = batch
            return batch
        }
    }

    /// Journals what a loop gathered in this pass and lets its answers go; on the loop. What was gathered is
    /// swapped out before the answers go: an answer written can start the next request pipelined on its
    /// connection, and when that one is refused at once its record is gathered anew, for the next flush.
    private func flush(_ batch: LoopBatch) {
        batch.scheduled = false
        guard let journal, !batch.gathering.events.isEmpty else { return }
        swap(&batch.gathering, &batch.flushed)
        append(batch.flushed.lines.bytes, batch.flushed.events, to: journal, waiters: batch.flushed.waiters)
        batch.flushed.removeAll()
    }

    /// Appends records to the journal and lets their waiters go once they are safe: at once when written;
    /// after the store's commit when the write failed (a full disk, say: the journal keeps the waiters);
    /// after a direct commit when the journal has stopped (records finished during shutdown).
    private func append(_ lines: [UInt8], _ events: [UsageEvent], to journal: RecordJournal, waiters: [Waiter]) {
        let waiting = config.waitForCommit ? waiters : []
        switch journal.append(lines, events: events, waiters: waiting) {
        case .written:
            Self.release(waiters)
        case .failed:
            metrics?.journalFailures.increment(by: Int64(events.count))
            logger.error("could not write the record journal; answers wait for the store's commit")
            if waiting.isEmpty { Self.release(waiters) }
            submitCommit()
        case .closed:
            insertDirectly(events)
            Self.release(waiters)
        }
        scheduleEarlyCommit(journal)
    }

    /// Commits now rather than at the next interval when many records are queued.
    private func scheduleEarlyCommit(_ journal: RecordJournal) {
        if journal.queuedCount >= 4096 { submitCommit() }
    }

    private func submitCommit() {
        thread.submit { [self] state in
            guard case .active = state else { return }
            commitJournal()
        }
    }

    private func enqueue(_ event: UsageEvent, waiter: Waiter?) {
        enum Next { case none, drain, direct }
        let next = pending.withLock { p -> Next in
            if p.closed { return .direct }
            p.events.append(event)
            if let waiter { p.waiters.append(waiter) }
            if p.draining { return .none }
            p.draining = true
            return .drain
        }
        switch next {
        case .none:
            break
        case .drain:
            thread.submit { [self] state in
                guard case .active = state else { return }
                drain()
            }
        case .direct:
            // After shutdown: written directly rather than lost.
            insertDirectly([event])
            waiter.map { Self.release([$0]) }
        }
    }

    /// Commits records on the caller's thread: for the few that finish after the writer has stopped.
    private func insertDirectly(_ events: [UsageEvent]) {
        do { try store.insertUsage(events) } catch {
            metrics?.recordFailures.increment(by: Int64(events.count))
            logger.error("could not write request records", metadata: ["error": "\(error)"])
        }
    }

    /// Commits what is pending, batch after batch, until nothing is; on the writer thread.
    private func drain() {
        while true {
            let batch = pending.withLock { p -> Pending in
                let taken = Pending(events: p.events, waiters: p.waiters)
                p.events.removeAll(keepingCapacity: true)
                p.waiters.removeAll(keepingCapacity: true)
                if taken.events.isEmpty { p.draining = false }
                return taken
            }
            if batch.events.isEmpty { return }
            commit(batch.events, position: nil)
            // Answers wait for the commit only; the JSON Lines copy is written after they go.
            Self.release(batch.waiters)
            writerState.rotator.write(batch.events)
        }
    }

    /// Commits the journalled records (with any a failed commit left), then lets go of waiters that fell
    /// back on this commit; on the writer thread.
    /// A failed commit is tried again at the next interval even when no record arrived since.
    private func commitJournal() {
        guard let journal else { return }
        if let sealed = journal.seal(logger: logger) {
            writerState.retry.append(contentsOf: sealed.events)
            writerState.retryLines.append(contentsOf: sealed.lines)
            writerState.waiters.append(contentsOf: sealed.waiters)
            writerState.position = sealed.position
        }
        guard let position = writerState.position else { return }
        let batch = writerState.retry
        guard commit(batch, position: position) else {
            retryPending.store(true, ordering: .releasing)
            return
        }
        retryPending.store(false, ordering: .releasing)
        let lines = writerState.retryLines
        writerState.retry.removeAll()
        writerState.retryLines.removeAll(keepingCapacity: true)
        writerState.position = nil
        journal.committed(through: position)
        Self.release(writerState.waiters)
        writerState.waiters.removeAll()
        writerState.rotator.write(lines: lines)
    }

    /// One transaction; with a journal position, moves the journal's committed position there too.
    @discardableResult
    private func commit(_ events: [UsageEvent], position: JournalPosition?) -> Bool {
        do {
            if let position {
                try store.insertUsage(events, journalPosition: position)
            } else {
                try store.insertUsage(events)
            }
            metrics?.recordsWritten.increment(by: Int64(events.count))
            metrics?.recordCommits.increment()
            return true
        } catch {
            metrics?.recordFailures.increment(by: Int64(events.count))
            logger.error(
                "could not write request records",
                metadata: ["hydraguard.records": "\(events.count)", "error": "\(error)"])
            return false
        }
    }

    /// Lets waiters go: those of the caller's own loop at once, those of each other loop in one task on
    /// that loop.
    private static func release(_ waiters: [Waiter]) {
        var others: [ObjectIdentifier: (loop: any EventLoop, waiters: [Waiter])] = [:]
        for waiter in waiters {
            if waiter.loop.inEventLoop {
                waiter.resume()
            } else {
                others[ObjectIdentifier(waiter.loop), default: (waiter.loop, [])].waiters.append(waiter)
            }
        }
        for (loop, waiters) in others.values {
            loop.execute { for waiter in waiters { waiter.resume() } }
        }
    }

    /// Commits journalled records every `commitIntervalMs` and checkpoints the store every second while
    /// the gateway runs; at shutdown, commits what is left, publishes the JSON Lines file, closes the
    /// journal and stops the writer thread.
    public func run() async throws {
        let interval = journal == nil ? 1000 : max(1, config.commitIntervalMs)
        try? await cancelWhenGracefulShutdown { [self] in
            var sinceCheckpoint = 0
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(interval))
                // An idle gateway stays asleep: the writer thread is woken only for records to commit.
                if let journal, journal.hasUncommitted || retryPending.load(ordering: .acquiring) {
                    try await thread.runIfActive { self.commitJournal() }
                }
                sinceCheckpoint += interval
                guard sinceCheckpoint >= 1000 else { continue }
                sinceCheckpoint = 0
                // A store opened with background checkpoints is checkpointed here, off the commits.
                do { try await store.checkpoint() } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    logger.warning("store checkpoint failed", metadata: ["error": "\(error)"])
                }
            }
        }
        pending.withLock { $0.closed = true }
        // Queued after any commit in progress (the pool has one thread): appends stop (later records are
        // committed directly), the last journalled records are committed, then the files are closed.
        try await thread.runIfActive { [self] in
            journal?.stopAppending()
            commitJournal()
            drain()
            journal?.close()
            writerState.rotator.close()
        }
        if stopped.exchange(true, ordering: .relaxed) == false { try await thread.shutdownGracefully() }
    }

    deinit {
        // A writer that never ran (or whose run was cut short) still stops its thread.
        if stopped.exchange(true, ordering: .relaxed) == false { thread.shutdownGracefully { _ in } }
    }
}

/// Who waits for a record to be safe: what to call, on the loop of the request that wrote it.
struct RecordWaiter: @unchecked Sendable {
    // @unchecked: `resume` is called only on `loop` (``RecordWriter`` hops there when it is not on it).
    let loop: any EventLoop
    let resume: () -> Void
}

/// What the writer thread keeps between commits.
private final class WriterState: @unchecked Sendable {
    // @unchecked: used only on the record writer's single thread.
    var rotator: JSONLRotator
    /// Journalled records a failed commit left, tried again with the next, and who waits for them.
    var retry: [UsageEvent] = []
    /// Their journal lines, for the JSON Lines copy (empty when the journal does not keep them).
    var retryLines: [UInt8] = []
    var waiters: [RecordWaiter] = []
    /// Where the journal is sealed up to while `retry` waits for its commit.
    var position: JournalPosition?
    init(_ rotator: JSONLRotator) { self.rotator = rotator }
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
            for event in events { try current(directory).write(event) }
        } catch {
            logger.error("could not write JSON Lines records", metadata: ["error": "\(error)"])
        }
    }

    /// Writes records already encoded as usage-log lines, each ending in a newline (the journal's).
    mutating func write(lines: [UInt8]) {
        guard let directory = config.jsonlDirectory else { return }
        do {
            var start = lines.startIndex
            while let end = lines[start...].firstIndex(of: 0x0A) {
                try current(directory).write(encodedLine: lines[start..<end])
                start = end + 1
            }
        } catch {
            logger.error("could not write JSON Lines records", metadata: ["error": "\(error)"])
        }
    }

    /// The file the next record goes to: the open one, or a new one when it is due to rotate.
    private mutating func current(_ directory: String) throws -> JSONLinesWriter<UsageEvent> {
        if let w = writer,
            w.count >= config.rotateRecords || Date().timeIntervalSince(openedAt) >= Double(config.rotateSeconds)
        {
            try w.finish()
            writer = nil
        }
        if let writer { return writer }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        openedAt = Date()
        sequence += 1
        let stamp = Timestamp(secondsSince1970: openedAt.timeIntervalSince1970).rfc3339
            .replacingOccurrences(of: ":", with: "")
        let opened = try JSONLinesWriter<UsageEvent>(path: "\(directory)/events-\(stamp)-\(sequence).jsonl")
        writer = opened
        return opened
    }

    mutating func close() {
        do { try writer?.finish() } catch {
            logger.error("could not publish JSON Lines records", metadata: ["error": "\(error)"])
        }
        writer = nil
    }
}
