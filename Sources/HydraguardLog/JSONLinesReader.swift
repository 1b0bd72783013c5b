import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a read saw.
public struct ReadStatistics: Sendable, Hashable {
    public var files = 0
    /// Lines read, blank ones included.
    public var lines = 0
    public var records = 0
    /// Bad lines skipped in lenient mode.
    public var skipped = 0
    /// Bytes of (decompressed) text read.
    public var bytes = 0
    /// The first few skipped lines' errors, for a person to look at.
    public var skippedSamples: [LogFormatError] = []

    public init() {}

    public mutating func merge(_ other: ReadStatistics) {
        files += other.files
        lines += other.lines
        records += other.records
        skipped += other.skipped
        bytes += other.bytes
        skippedSamples.append(contentsOf: other.skippedSamples.prefix(max(0, 5 - skippedSamples.count)))
    }
}

/// Streams records from JSON Lines files (plain, `.gz`, or `-` for standard input), in file order.
///
/// The text is cut into chunks at line ends and the chunks are parsed on all cores at once, while the
/// calling thread reads (and, for gzip, inflates) the next chunks and runs `body` on the records parsed
/// before; the records reach `body` chunk by chunk, in order, so memory stays flat whatever the file's
/// size (about 70 MB resident for a 2 GB file with the default 4 MiB chunks on two cores).
/// A bad line stops the read with a ``LogFormatError`` naming the file, the line and the field,
/// unless `lenient` is set, in which case it is skipped and counted.
///
/// ```swift
/// let reader = JSONLinesReader<UsageEvent>(paths: ["events.jsonl.gz"])
/// let stats = try reader.forEachBatch { events in
///     for event in events { accumulate(event) }
/// }
/// ```
public struct JSONLinesReader<Record: JSONLineRecord>: Sendable {
    public var paths: [String]
    public var lenient: Bool
    /// Bytes of text per chunk.
    public var chunkSize: Int
    /// Chunks parsed at once.
    public var workers: Int

    public init(paths: [String], lenient: Bool = false, chunkSize: Int = 4 << 20, workers: Int? = nil) {
        self.paths = paths
        self.lenient = lenient
        self.chunkSize = max(chunkSize, 1024)
        self.workers = max(1, workers ?? onlineProcessorCount())
    }

    /// Reads every file, calling `body` with each chunk's records in order.
    @discardableResult
    public func forEachBatch(_ body: ([Record]) throws -> Void) throws -> ReadStatistics {
        var stats = ReadStatistics()
        for path in paths {
            let fileStats = try readFile(path, body)
            stats.merge(fileStats)
        }
        return stats
    }

    /// Reads every record into memory (for small files such as accounts and labels).
    public func readAll() throws -> (records: [Record], statistics: ReadStatistics) {
        var all: [Record] = []
        let stats = try forEachBatch { all.append(contentsOf: $0) }
        return (all, stats)
    }

    private func readFile(_ path: String, _ body: ([Record]) throws -> Void) throws -> ReadStatistics {
        let input = try InputFile(path: path)
        // Reading (and inflating) runs ahead on a thread of its own, so that it overlaps both the parse
        // and `body`; it stops, and the file closes, however this function ends.
        let chunks = ChunkPrefetcher(ChunkSource(input: input, chunkSize: chunkSize), depth: 2 * workers)
        defer {
            chunks.stop()
            input.close()
        }
        var stats = ReadStatistics()
        stats.files = 1
        var lineBase = 0
        func readBatch() throws(LogFormatError) -> [[UInt8]] {
            var batch: [[UInt8]] = []
            while batch.count < workers, let chunk = try chunks.next() {
                stats.bytes += chunk.count
                batch.append(chunk)
            }
            return batch
        }
        // A pipeline: while one batch of chunks is parsed in the background (on `workers` threads), this
        // thread takes the next batch from the reader, then hands the parsed batch's records to `body`
        // while the next one is parsed. At most two batches of text being parsed, `2 × workers` chunks
        // read ahead, and one batch of records are alive.
        let first = try readBatch()
        var job = first.isEmpty ? nil : ParseJob<Record>(first, lenient: lenient)
        defer { job?.cancelAndWait() }
        while let current = job {
            let next = try readBatch()
            let results = current.wait()
            job = next.isEmpty ? nil : ParseJob<Record>(next, lenient: lenient)
            for result in results {
                if let (relativeLine, error) = result.failure {
                    throw error.located(file: path, line: lineBase + relativeLine)
                }
                for (relativeLine, error) in result.skipped where stats.skippedSamples.count < 5 {
                    stats.skippedSamples.append(error.located(file: path, line: lineBase + relativeLine))
                }
                stats.skipped += result.skipped.count + result.moreSkipped
                stats.lines += result.lines
                stats.records += result.records.count
                lineBase += result.lines
                try body(result.records)
            }
        }
        return stats
    }

    struct ChunkResult: Sendable {
        var records: [Record] = []
        var lines = 0
        var skipped: [(Int, LineError)] = []
        var moreSkipped = 0
        var failure: (Int, LineError)?
    }

    static func parse(_ chunks: [[UInt8]], lenient: Bool) -> [ChunkResult] {
        if chunks.count == 1 { return [parseChunk(chunks[0], lenient: lenient)] }
        let slots = ResultSlots<ChunkResult>(count: chunks.count)
        DispatchQueue.concurrentPerform(iterations: chunks.count) { index in
            slots.set(index, parseChunk(chunks[index], lenient: lenient))
        }
        return slots.take()
    }

    static func parseChunk(_ chunk: [UInt8], lenient: Bool) -> ChunkResult {
        var result = ChunkResult()
        result.records.reserveCapacity(chunk.count / 400)
        var scratch: [UInt8] = []
        chunk.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            let bytes = base.assumingMemoryBound(to: UInt8.self)
            var start = 0
            let count = raw.count
            while start < count {
                let newline = memchr(base + start, 0x0A, count - start)
                let end = newline.map { UnsafeRawPointer($0) - base } ?? count
                result.lines += 1
                var stop = end
                while stop > start, bytes[stop - 1] == 0x0D || bytes[stop - 1] == 0x20 || bytes[stop - 1] == 0x09 {
                    stop -= 1
                }
                if stop > start {
                    var scanner = JSONLineScanner(
                        UnsafeRawBufferPointer(start: base + start, count: stop - start), scratch: scratch)
                    do throws(LineError) {
                        result.records.append(try Record.decode(&scanner))
                    } catch {
                        if !lenient {
                            result.failure = (result.lines, error)
                            return
                        }
                        if result.skipped.count < 5 {
                            result.skipped.append((result.lines, error))
                        } else {
                            result.moreSkipped += 1
                        }
                    }
                    scratch = scanner.takeScratch()
                }
                start = end + 1
            }
        }
        return result
    }
}

/// One batch of chunks being parsed on a background thread.
///
/// `@unchecked Sendable`: `results` is written once by the background work before it signals `done`,
/// and read only after waiting on `done`, which orders the write before the read.
final class ParseJob<Record: JSONLineRecord>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var results: [JSONLinesReader<Record>.ChunkResult] = []
    private var waited = false

    init(_ chunks: [[UInt8]], lenient: Bool) {
        DispatchQueue.global().async {
            self.results = JSONLinesReader<Record>.parse(chunks, lenient: lenient)
            self.done.signal()
        }
    }

    /// The batch's results, in chunk order, once parsed.
    func wait() -> [JSONLinesReader<Record>.ChunkResult] {
        if !waited {
            done.wait()
            waited = true
        }
        let r = results
        results = []
        return r
    }

    /// Waits for the work to end (its results are dropped): no parse outlives the read.
    func cancelAndWait() { _ = wait() }
}

/// One result slot per concurrent job.
///
/// `@unchecked Sendable`: each index is written by exactly one job of a `concurrentPerform`, and
/// read only after all jobs have returned, which orders the writes before the reads.
final class ResultSlots<T>: @unchecked Sendable {
    private var storage: [T?]

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: T) {
        storage.withUnsafeMutableBufferPointer { $0[index] = value }
    }

    func take() -> [T] { storage.map { $0! } }
}
