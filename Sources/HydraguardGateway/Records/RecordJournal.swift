#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import HydraguardLog
public import HydraguardStore
public import Logging
import Synchronization

/// The gateway's record journal: request records written ahead of the store, as JSON Lines in the
/// usage-log format, so that an answer never waits for a database commit and a crash of the gateway still
/// loses no record of an answered request.
///
/// The journal is a directory of generations, `records-<n>.jsonl`. Event loops append to the current one
/// (one `write` per loop pass, holding the journal's lock for it) and queue the same records for the store,
/// so the queue is in the file's order. The record writer takes the queue with the position it ends at
/// (``seal(logger:)``), commits the records and that position in one transaction, and deletes the files
/// the position has passed; a generation is started anew once it holds `generationBytes`. At start,
/// ``open(directory:store:fsync:logger:)`` commits whatever lies past the committed position, so the store
/// holds every journalled record exactly once.
///
/// ```swift
/// let journal = try RecordJournal.open(directory: "hydraguard.sqlite-records", store: store, logger: logger)
/// let gateway = Gateway(config: config, store: store, httpClient: client, logger: logger, journal: journal)
/// ```
public final class RecordJournal: Sendable {
    struct State {
        var generation: Int
        var descriptor: Int32
        /// Bytes in the current generation.
        var written = 0
        /// How far the store holds the journal (from ``committed(through:)``).
        var committed: JournalPosition
        /// The newest generation whose file is deleted.
        var removedThrough: Int
        /// ``close()`` has released the lock.
        var released = false
        /// Records appended and not yet taken by ``seal()``, in journal order.
        var queued: [UsageEvent] = []
        /// Their lines, as written, when ``keepLines()`` asked for them (for the JSON Lines copy).
        var queuedLines: [UInt8] = []
        var keepsLines = false
        /// Who waits for queued records that could not be written to the journal: they are safe only once
        /// the store has committed them.
        var waiting: [RecordWaiter] = []
        var closed = false
    }

    /// What the start found and committed.
    public struct Recovery: Sendable, Equatable {
        /// Records committed from generations a crash left behind.
        public var records = 0
        /// Generation files read.
        public var files = 0
        /// Lines that could not be read (their files are kept, renamed `.unreadable`), as `file:line: why`.
        public var problems: [String] = []
    }

    public let directory: String
    /// A generation this large is followed by a new one at the next seal.
    let generationBytes: Int
    /// fsync every append (and the directory when a generation starts): records then survive a power cut
    /// too, not only a crash of the process.
    let fsync: Bool
    private let state: Mutex<State>
    /// The lock file, held while the journal is open: two gateways never share one journal.
    private let lockDescriptor: Int32
    /// What ``open(directory:store:fsync:logger:)`` recovered.
    public let recovery: Recovery

    /// Opens the journal in `directory` (created if needed): takes its lock, commits to `store` the records
    /// of any generation a crash left behind, and starts a new generation.
    public static func open(
        directory: String, store: Store, fsync: Bool = false, generationBytes: Int = 64 << 20, logger: Logger
    ) throws -> RecordJournal {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let lock = Glibc.open(directory + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw JournalError("\(directory)/lock: cannot open: \(String(cString: strerror(errno)))") }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(lock)
            throw JournalError("\(directory): the record journal is in use by another gateway (\(reason))")
        }
        do {
            let (recovery, next) = try recover(directory: directory, store: store, logger: logger)
            return try RecordJournal(
                directory: directory, generation: next, fsync: fsync, generationBytes: generationBytes,
                lockDescriptor: lock, recovery: recovery)
        } catch {
            Glibc.close(lock)
            throw error
        }
    }

    private init(
        directory: String, generation: Int, fsync: Bool, generationBytes: Int, lockDescriptor: Int32, recovery: Recovery
    ) throws {
        self.directory = directory
        self.fsync = fsync
        self.generationBytes = generationBytes
        self.lockDescriptor = lockDescriptor
        self.recovery = recovery
        let descriptor = try Self.create(Self.path(directory, generation), fsync: fsync, directory: directory)
        state = Mutex(
            State(
                generation: generation, descriptor: descriptor,
                committed: JournalPosition(generation: generation, offset: 0), removedThrough: generation - 1))
    }

    deinit { close() }

    static func path(_ directory: String, _ generation: Int) -> String {
        "\(directory)/records-\(generation).jsonl"
    }

    private static func create(_ path: String, fsync: Bool, directory: String) throws -> Int32 {
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw JournalError("\(path): cannot create: \(String(cString: strerror(errno)))") }
        if fsync {
            let dir = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if dir >= 0 {
                _ = Glibc.fsync(dir)
                Glibc.close(dir)
            }
        }
        return descriptor
    }

    /// What ``append(_:events:waiters:)`` did.
    enum Appended: Equatable {
        /// The lines are written and the events queued: the caller lets its waiters go.
        case written
        /// The write failed: the events are queued all the same, and the journal keeps the waiters, to be
        /// let go once the store has committed the events.
        case failed
        /// The journal is closed: nothing was taken, the caller writes the events to the store itself.
        case closed
    }

    /// Appends the encoded lines of `events` (one write) and queues the events for the store.
    func append(_ lines: [UInt8], events: [UsageEvent], waiters: [RecordWaiter]) -> Appended {
        state.withLock { state -> Appended in
            guard !state.closed else { return .closed }
            state.queued.append(contentsOf: events)
            if state.keepsLines { state.queuedLines.append(contentsOf: lines) }
            if lines.withUnsafeBytes({ Self.writeAll(state.descriptor, $0) }) {
                state.written += lines.count
                if fsync { _ = fdatasync(state.descriptor) }
                return .written
            }
            // No half line stays behind to be read as a broken record after a crash.
            _ = ftruncate(state.descriptor, off_t(state.written))
            state.waiting.append(contentsOf: waiters)
            return .failed
        }
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    /// From now on, ``seal(logger:)`` hands over the queued records' lines with them, so that a JSON Lines
    /// copy is written without encoding each record again.
    func keepLines() { state.withLock { $0.keepsLines = true } }

    /// Records queued and not yet taken.
    var queuedCount: Int { state.withLock { $0.queued.count } }

    /// Whether records (or answers waiting on the store) were queued since the last seal.
    var hasUncommitted: Bool { state.withLock { !$0.queued.isEmpty || !$0.waiting.isEmpty } }

    /// What ``seal(logger:)`` takes: the queued records, their lines (empty unless ``keepLines()`` was
    /// called), the position they end at, and who waits for their commit.
    struct Sealed {
        var events: [UsageEvent]
        var lines: [UInt8]
        var position: JournalPosition
        var waiters: [RecordWaiter]
    }

    /// Takes the queued records and the position they end at, so that committing both leaves nothing of
    /// them to replay; starts a new generation when the current one is full. Nil when nothing was queued
    /// since the last seal.
    func seal(logger: Logger) -> Sealed? {
        state.withLock { state -> Sealed? in
            guard !state.queued.isEmpty || !state.waiting.isEmpty else { return nil }
            let position = JournalPosition(generation: state.generation, offset: state.written)
            if !state.closed, state.written >= generationBytes {
                do {
                    let next = try Self.create(Self.path(directory, state.generation + 1), fsync: fsync, directory: directory)
                    Glibc.close(state.descriptor)
                    state.descriptor = next
                    state.generation += 1
                    state.written = 0
                } catch {
                    // Appends go on in the full generation; the next seal tries again.
                    logger.error("could not start a record journal generation", metadata: ["error": "\(error)"])
                }
            }
            let sealed = Sealed(events: state.queued, lines: state.queuedLines, position: position, waiters: state.waiting)
            state.queued.removeAll(keepingCapacity: true)
            state.queuedLines.removeAll(keepingCapacity: true)
            state.waiting.removeAll()
            return sealed
        }
    }

    /// Deletes the files the committed `position` has passed: every generation before its own, and its own
    /// when it ends there and a newer one has started.
    func committed(through position: JournalPosition) {
        let passed = state.withLock { state -> ClosedRange<Int>? in
            state.committed = max(state.committed, position)
            let through = position.generation < state.generation ? position.generation : position.generation - 1
            defer { state.removedThrough = max(state.removedThrough, through) }
            return state.removedThrough < through ? (state.removedThrough + 1)...through : nil
        }
        if let passed { for number in passed { unlink(Self.path(directory, number)) } }
    }

    /// Refuses appends from now on (they answer ``Appended/closed``) and closes the current file; what was
    /// appended can still be sealed and committed. The lock is kept until ``close()``.
    func stopAppending() {
        state.withLock { state in
            guard !state.closed else { return }
            state.closed = true
            Glibc.close(state.descriptor)
        }
    }

    /// Stops appending and releases the lock. The current generation's file is left for the next start,
    /// unless the store holds all of it.
    public func close() {
        stopAppending()
        let last = state.withLock { state -> (generation: Int, done: Bool)? in
            guard !state.released else { return nil }
            state.released = true
            let end = JournalPosition(generation: state.generation, offset: state.written)
            return (state.generation, state.written == 0 || state.committed == end)
        }
        guard let last else { return }
        if last.done { unlink(Self.path(directory, last.generation)) }
        Glibc.close(lockDescriptor)
    }

    /// The generation files in `directory`, by number.
    static func generations(in directory: String) -> [(number: Int, name: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix("records-"), name.hasSuffix(".jsonl"),
                let n = Int(name.dropFirst("records-".count).dropLast(".jsonl".count))
            else { return nil }
            return (n, name)
        }.sorted { $0.0 < $1.0 }
    }

    /// Commits what lies past the store's committed position (one transaction per generation file, each
    /// moving the position to its end) and deletes the files; returns what was found and the number the next
    /// generation takes.
    static func recover(directory: String, store: Store, logger: Logger) throws -> (Recovery, next: Int) {
        let committed = try store.committedJournalPosition()
        var recovery = Recovery()
        var newest = committed.generation
        for (number, name) in generations(in: directory) {
            let path = "\(directory)/\(name)"
            newest = max(newest, number)
            guard number >= committed.generation else {
                unlink(path)  // committed before the crash, not yet deleted
                continue
            }
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let start = number == committed.generation ? min(committed.offset, data.count) : 0
            guard start < data.count else {
                unlink(path)
                continue
            }
            recovery.files += 1
            var events: [UsageEvent] = []
            var problems: [String] = []
            // Line numbers count from the file's first line, committed ones included.
            var lineNumber = data[..<start].reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
            var end = start
            var lineStart = start
            while lineStart < data.count {
                lineNumber += 1
                guard let newline = data[lineStart...].firstIndex(of: 0x0A) else {
                    // A last line without its newline was cut by the crash mid-write: never acknowledged,
                    // so never answered; it is dropped.
                    break
                }
                let line = data[lineStart..<newline]
                if !line.isEmpty {
                    do {
                        events.append(try UsageEvent.decode(line: String(decoding: line, as: UTF8.self)))
                    } catch {
                        problems.append("\(path):\(lineNumber): \(error)")
                    }
                }
                lineStart = newline + 1
                end = lineStart
            }
            try store.insertUsage(events, journalPosition: JournalPosition(generation: number, offset: end))
            recovery.records += events.count
            if problems.isEmpty {
                unlink(path)
            } else {
                // Never lose data: the file stays, out of the journal's way, for a person to look at.
                rename(path, path + ".unreadable")
                for p in problems { logger.error("unreadable record in the journal", metadata: ["hydraguard.problem": "\(p)"]) }
                recovery.problems += problems
            }
        }
        if recovery.records > 0 || !recovery.problems.isEmpty {
            logger.notice(
                "committed records a crash left in the journal",
                metadata: ["hydraguard.records": "\(recovery.records)", "hydraguard.files": "\(recovery.files)"])
        }
        return (recovery, newest + 1)
    }
}

/// A record journal that cannot be opened or written.
public struct JournalError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
