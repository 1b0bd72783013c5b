import Foundation
import HydraguardLog
import HydraguardStore
import Logging
import Testing

@testable import HydraguardGateway

/// The record journal: what a crash leaves in it reaches the store exactly once.
@Suite struct RecordJournalTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A store on disk in a new folder, and the journal folder beside it.
    static func place() throws -> (store: String, journal: String, folder: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hg-journal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return ("\(folder)/hg.sqlite", "\(folder)/hg.sqlite-records", folder)
    }

    static func store(_ path: String) throws -> Store { try Store(path: path, keyHashSecret: Data("k".utf8)) }

    static func event(_ n: Int) -> UsageEvent {
        var e = UsageEvent(
            ts: Timestamp(secondsSince1970: 1_800_000_000 + Double(n)), requestID: "req_\(n)", accountID: "acct_\(n % 3)",
            keyID: "key_\(n % 3)", ip: "203.0.113.\(n % 250)", userAgent: "test/1", endpoint: "/v1/messages",
            model: "stub-small", status: 200, inputTokens: n, outputTokens: 2 * n)
        e.prompt = "prompt \(n) with \"quotes\" and \\ and é"
        e.latencyMs = n % 17
        return e
    }

    /// The journal lines of `events`, as the event loops write them.
    static func lines(_ events: [UsageEvent]) -> [UInt8] {
        var out = JSONOutput()
        for e in events {
            e.encode(into: &out)
            out.bytes.append(0x0A)
        }
        return out.bytes
    }

    static func files(_ journal: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: journal)) ?? []).filter { $0 != "lock" }.sorted()
    }

    @Test func recordsACrashLeftAreCommittedAtTheNextStart() throws {
        let place = try Self.place()
        defer { try? FileManager.default.removeItem(atPath: place.folder) }
        let events = (0..<25).map(Self.event)
        do {
            let store = try Self.store(place.store)
            let journal = try RecordJournal.open(directory: place.journal, store: store, logger: Self.logger)
            #expect(journal.append(Self.lines(Array(events[..<10])), events: Array(events[..<10]), waiters: []) == .written)
            #expect(journal.append(Self.lines(Array(events[10...])), events: Array(events[10...]), waiters: []) == .written)
            #expect(try store.usageCount() == 0)
            journal.close()  // the process ends with nothing committed
        }
        let store = try Self.store(place.store)
        let journal = try RecordJournal.open(directory: place.journal, store: store, logger: Self.logger)
        defer { journal.close() }
        #expect(journal.recovery.records == 25)
        #expect(journal.recovery.problems.isEmpty)
        let stored = try store.usage(limit: 100).reversed()
        #expect(stored.map(\.requestID) == events.map(\.requestID))
        #expect(Array(stored) == events)  // every field, text escapes included
        #expect(Self.files(place.journal) == ["records-2.jsonl"])  // only the new, empty generation
    }

    @Test func committedRecordsAreNotCommittedTwice() throws {
        let place = try Self.place()
        defer { try? FileManager.default.removeItem(atPath: place.folder) }
        let events = (0..<8).map(Self.event)
        let end: JournalPosition
        do {
            let store = try Self.store(place.store)
            let journal = try RecordJournal.open(directory: place.journal, store: store, logger: Self.logger)
            #expect(journal.append(Self.lines(events), events: events, waiters: []) == .written)
            let sealed = try #require(journal.seal(logger: Self.logger))
            #expect(sealed.events == events)
            end = sealed.position
            #expect(end == JournalPosition(generation: 1, offset: Self.lines(events).count))
            try store.insertUsage(sealed.events, journalPosition: sealed.position)
            // The process dies here, after the commit and before the file is dealt with.
            #expect(FileManager.default.fileExists(atPath: RecordJournal.path(place.journal, 1)))
        }
        let store = try Self.store(place.store)
        let journal = try RecordJournal.open(directory: place.journal, store: store, logger: Self.logger)
        defer { journal.close() }
        #expect(journal.recovery.records == 0)
        #expect(try store.usageCount() == 8)
        #expect(try store.committedJournalPosition() == end)
        #expect(!FileManager.default.fileExists(atPath: RecordJournal.path(place.journal, 1)))
    }

    @Test func onlyWhatLiesPastTheCommittedPositionIsReplayed() throws {
        let place = try Self.place()
        defer { try? FileManager.default.removeItem(atPath: place.folder) }
        let events = (0..<5).map(Self.event)
        do {
            let store = try Self.store(place.store)
            let journal = try RecordJournal.open(directory: place.journal, store: store, logger: Self.logger)
            #expect(journal.append(Self.lines(Array(events[..<2])), events: Array(events[..<2]), waiters: []) == .written)
            let sealed = try #require(journal.seal(logger: Self.logger))
            try store.insertUsage(sealed.events, journalPosition: sealed.position)
            journal.committed(through: sealed.position)
            // Appended after the commit, then the crash.
            #expect(journal.append(Self.lines(Array(events[2...])), events: Array(events[2...]), waiters: []) == .written)
        }
        let store = try Self.store(place.store)
        let journal = try RecordJournal.open(directory: place.journal, store: store, logger: Self.logger)
        defer { journal.close() }
        #expect(journal.recovery.records == 3)
        #expect(try store.usage(limit: 10).map(\.requestID).sorted() == events.map(\.requestID).sorted())
    }

    @Test func aFullGenerationIsFollowedByANewOneAndPassedFilesAreDeleted() throws {
        let place = try Self.place()
        defer { try? FileManager.default.removeItem(atPath: place.folder) }
        let store = try Self.store(place.store)
        let journal = try RecordJournal.open(
            directory: place.journal, store: store, generationBytes: 1, logger: Self.logger)
        defer { journal.close() }
        #expect(journal.seal(logger: Self.logger) == nil)  // nothing queued: nothing to seal
        let first = [Self.event(1)]
        #expect(journal.append(Self.lines(first), events: first, waiters: []) == .written)
        let one = try #require(journal.seal(logger: Self.logger))
        #expect(one.position == JournalPosition(generation: 1, offset: Self.lines(first).count))
        let second = [Self.event(2), Self.event(3)]
        #expect(journal.append(Self.lines(second), events: second, waiters: []) == .written)
        #expect(journal.queuedCount == 2)
        #expect(Self.files(place.journal) == ["records-1.jsonl", "records-2.jsonl"])
        journal.committed(through: one.position)
        #expect(Self.files(place.journal) == ["records-2.jsonl"])
        let two = try #require(journal.seal(logger: Self.logger))
        #expect(two.events == second)
        #expect(two.position.generation == 2)
    }

    /// Asked to keep lines, a seal hands over the records' lines exactly as written, in journal order, and
    /// each line once; not asked, it hands over none.
    @Test func aSealHandsOverTheLinesOnlyWhenAskedTo() throws {
        let place = try Self.place()
        defer { try? FileManager.default.removeItem(atPath: place.folder) }
        let store = try Self.store(place.store)
        let journal = try RecordJournal.open(directory: place.journal, store: store, logger: Self.logger)
        defer { journal.close() }
        let before = [Self.event(1)]
        #expect(journal.append(Self.lines(before), events: before, waiters: []) == .written)
        #expect(try #require(journal.seal(logger: Self.logger)).lines.isEmpty)
        journal.keepLines()
        let first = [Self.event(2), Self.event(3)]
        let second = [Self.event(4)]
        #expect(journal.append(Self.lines(first), events: first, waiters: []) == .written)
        #expect(journal.append(Self.lines(second), events: second, waiters: []) == .written)
        let sealed = try #require(journal.seal(logger: Self.logger))
        #expect(sealed.events == first + second)
        #expect(sealed.lines == Self.lines(first + second))
        let third = [Self.event(5)]
        #expect(journal.append(Self.lines(third), events: third, waiters: []) == .written)
        #expect(try #require(journal.seal(logger: Self.logger)).lines == Self.lines(third))
    }

    @Test func aGenerationWithRoomKeepsGrowingAcrossSeals() throws {
        let place = try Self.place()
        defer { try? FileManager.default.removeItem(atPath: place.folder) }
        let store = try Self.store(place.store)
        let journal = try RecordJournal.open(directory: place.journal, store: store, logger: Self.logger)
        let a = [Self.event(1)]
        let b = [Self.event(2)]
        #expect(journal.append(Self.lines(a), events: a, waiters: []) == .written)
        let one = try #require(journal.seal(logger: Self.logger))
        #expect(journal.append(Self.lines(b), events: b, waiters: []) == .written)
        let two = try #require(journal.seal(logger: Self.logger))
        #expect(two.position == JournalPosition(generation: 1, offset: one.position.offset + Self.lines(b).count))
        journal.committed(through: one.position)
        #expect(Self.files(place.journal) == ["records-1.jsonl"])  // still being written
        journal.committed(through: two.position)
        journal.close()
        #expect(Self.files(place.journal).isEmpty)  // all of it in the store: nothing left to replay
    }

    @Test func aTornLastLineIsDroppedAndABrokenLineKeepsItsFile() throws {
        let place = try Self.place()
        defer { try? FileManager.default.removeItem(atPath: place.folder) }
        try FileManager.default.createDirectory(atPath: place.journal, withIntermediateDirectories: true)
        let good = (0..<3).map(Self.event)
        // Generation 1: two good lines, then a line cut short by a crash mid-write.
        var one = Self.lines(Array(good[..<2]))
        one += Array(#"{"ts":"2027-01-15T08:00:00Z","request_id":"req_cut"#.utf8)
        try Data(one).write(to: URL(fileURLWithPath: RecordJournal.path(place.journal, 1)))
        // Generation 2: a good line, then a broken one.
        var two = Self.lines([good[2]])
        two += Array("{\"ts\": 12}\n".utf8)
        try Data(two).write(to: URL(fileURLWithPath: RecordJournal.path(place.journal, 2)))

        let store = try Self.store(place.store)
        let journal = try RecordJournal.open(directory: place.journal, store: store, logger: Self.logger)
        defer { journal.close() }
        #expect(journal.recovery.records == 3)
        #expect(journal.recovery.files == 2)
        #expect(journal.recovery.problems.count == 1)
        #expect(journal.recovery.problems.first?.hasPrefix(RecordJournal.path(place.journal, 2) + ":2: ") == true)
        #expect(try store.usage(limit: 10).map(\.requestID).sorted() == ["req_0", "req_1", "req_2"])
        // The file with the broken line is kept for a person, out of the journal's way.
        #expect(Self.files(place.journal) == ["records-2.jsonl.unreadable", "records-3.jsonl"])
    }

    @Test func aClosedJournalRefusesAppendsAndTakesNothing() throws {
        let place = try Self.place()
        defer { try? FileManager.default.removeItem(atPath: place.folder) }
        let store = try Self.store(place.store)
        let journal = try RecordJournal.open(directory: place.journal, store: store, logger: Self.logger)
        journal.close()
        let late = [Self.event(9)]
        #expect(journal.append(Self.lines(late), events: late, waiters: []) == .closed)
        #expect(journal.queuedCount == 0)  // the caller writes it to the store itself
        #expect(journal.seal(logger: Self.logger) == nil)
    }

    @Test func twoGatewaysCannotShareAJournal() throws {
        let place = try Self.place()
        defer { try? FileManager.default.removeItem(atPath: place.folder) }
        let store = try Self.store(place.store)
        let journal = try RecordJournal.open(directory: place.journal, store: store, logger: Self.logger)
        #expect {
            _ = try RecordJournal.open(directory: place.journal, store: store, logger: Self.logger)
        } throws: { error in
            "\(error)".contains("in use by another gateway")
        }
        journal.close()
        // Released on close.
        let again = try RecordJournal.open(directory: place.journal, store: store, logger: Self.logger)
        again.close()
    }
}
