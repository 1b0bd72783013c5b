import HydraguardLog

extension Simulation {
    /// Generates the whole window and writes it: the events (day by day, in arrival order, in bounded
    /// memory), `accounts.jsonl`, `labels.jsonl`, `ip-ranges.csv` and the resolved `scenario.yaml`.
    /// Every file appears only once complete.
    ///
    /// ```swift
    /// let simulation = try Simulation(scenario: .preset("small"), seed: 7)
    /// let summary = try await simulation.write(to: SimulationOutput(directory: "out/small"))
    /// print(summary.table)
    /// ```
    public func write(
        to output: SimulationOutput, progress: (@Sendable (_ day: Int, _ events: Int) -> Void)? = nil
    ) async throws -> SimulationSummary {
        let clock = ContinuousClock()
        let started = clock.now
        let dir = output.directory
        try SystemInfo.makeDirectory(dir)
        let names = output.eventFiles
        let files = try names.map { name throws(LogFormatError) in
            ShardFile(try OutputFile(path: dir + "/" + name, compressionLevel: output.compressionLevel))
        }
        var rows = [Archetype: SimulationSummary.Row]()
        for p in profiles { rows[p.archetype, default: .init(archetype: p.archetype)].accounts += 1 }
        var total = 0
        do {
            var pending: Task<Void, any Error>? = nil
            for day in 0..<days {
                let chunks = await generate(day: day, workers: output.workers, shards: files.count)
                for chunk in chunks {
                    for (archetype, t) in chunk.tallies {
                        rows[archetype, default: .init(archetype: archetype)].events += t.events
                        rows[archetype, default: .init(archetype: archetype)].inputTokens += t.input
                        rows[archetype, default: .init(archetype: archetype)].outputTokens += t.output
                    }
                }
                // Compress and write this day while the next one is generated.
                try await pending?.value
                let count = chunks.reduce(0) { $0 + $1.entries.count }
                total += count
                pending = Task { try await Self.writeDay(chunks, files: files) }
                progress?(day, total)
            }
            try await pending?.value
            for file in files { try file.file.commit() }
        } catch {
            for file in files { file.file.abandon() }
            throw error
        }
        try writeSideFiles(dir)
        let elapsed = clock.now - started
        return SimulationSummary(
            rows: Archetype.allCases.compactMap { rows[$0] }, files: names + Self.sideFiles,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    static let sideFiles = ["accounts.jsonl", "labels.jsonl", "ip-ranges.csv", "scenario.yaml"]

    /// Writes accounts, labels, the range list and the resolved scenario.
    public func writeSideFiles(_ dir: String) throws {
        let accounts = try JSONLinesWriter<AccountRecord>(path: dir + "/accounts.jsonl")
        for record in accountRecords() { try accounts.write(record) }
        try accounts.finish()
        let labels = try JSONLinesWriter<LabelRecord>(path: dir + "/labels.jsonl")
        for record in labelRecords() { try labels.write(record) }
        try labels.finish()
        try Self.writeText(space.rangeListCSV, to: dir + "/ip-ranges.csv")
        var resolved = scenario
        resolved.seed = seed
        try Self.writeText(
            "# hydraguard simulate: the resolved scenario of this run (edit and pass with --scenario)\n" + resolved.yaml(),
            to: dir + "/scenario.yaml")
    }

    static func writeText(_ text: String, to path: String) throws(LogFormatError) {
        let file = try OutputFile(path: path)
        try file.write(Array(text.utf8))
        try file.commit()
    }

    // MARK: One day

    struct Tally: Sendable {
        var events = 0
        var input = 0
        var output = 0
    }

    struct Entry: Sendable {
        var ts: Int64
        var tie: UInt64
        var start: Int32
        var length: Int32
        var shard: Int32
    }

    /// One worker's share of a day: encoded lines and where each starts.
    struct Chunk: Sendable {
        var bytes: [UInt8] = []
        var entries: [Entry] = []
        var tallies: [Archetype: Tally] = [:]
    }

    func generate(day: Int, workers: Int, shards: Int) async -> [Chunk] {
        await withTaskGroup(of: (Int, Chunk).self) { group in
            for w in 0..<workers {
                group.addTask { (w, self.chunk(day: day, worker: w, of: workers, shards: shards)) }
            }
            var chunks = [Chunk](repeating: Chunk(), count: workers)
            for await (w, chunk) in group { chunks[w] = chunk }
            return chunks
        }
    }

    func chunk(day: Int, worker: Int, of workers: Int, shards: Int) -> Chunk {
        var chunk = Chunk()
        var out = JSONOutput(capacity: 1 << 20)
        var events: [UsageEvent] = []
        var times: [Double] = []
        var i = worker
        while i < profiles.count {
            let p = profiles[i]
            i += workers
            events.removeAll(keepingCapacity: true)
            appendEvents(p, utcDay: startDay + day, times: &times, into: &events)
            guard !events.isEmpty else { continue }
            var tally = chunk.tallies[p.archetype] ?? Tally()
            let shard = Int32(truncatingIfNeeded: p.salt % UInt64(shards))
            for event in events {
                let start = out.bytes.count
                event.encode(into: &out)
                out.bytes.append(0x0A)
                chunk.entries.append(
                    Entry(
                        ts: event.ts.microseconds, tie: Self.fnv(event.requestID), start: Int32(start),
                        length: Int32(out.bytes.count - start), shard: shard))
                tally.events += 1
                tally.input += event.inputTokens
                tally.output += event.outputTokens
            }
            chunk.tallies[p.archetype] = tally
        }
        chunk.bytes = out.bytes
        return chunk
    }

    static func fnv(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    /// Sorts the day's lines by arrival and writes each shard's share (shards in parallel).
    static func writeDay(_ chunks: [Chunk], files: [ShardFile]) async throws {
        var order: [(entry: Entry, chunk: Int32)] = []
        order.reserveCapacity(chunks.reduce(0) { $0 + $1.entries.count })
        for (c, chunk) in chunks.enumerated() {
            for e in chunk.entries { order.append((e, Int32(c))) }
        }
        order.sort { a, b in a.entry.ts != b.entry.ts ? a.entry.ts < b.entry.ts : a.entry.tie < b.entry.tie }
        let sorted = order
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (s, file) in files.enumerated() {
                group.addTask {
                    var buffer: [UInt8] = []
                    buffer.reserveCapacity(1 << 22)
                    for item in sorted where Int(item.entry.shard) == s {
                        let e = item.entry
                        chunks[Int(item.chunk)].bytes.withUnsafeBufferPointer { bytes in
                            buffer.append(contentsOf: bytes[Int(e.start)..<Int(e.start + e.length)])
                        }
                        if buffer.count >= 1 << 22 {
                            try file.file.write(buffer)
                            buffer.removeAll(keepingCapacity: true)
                        }
                    }
                    try file.file.write(buffer)
                }
            }
            try await group.waitForAll()
        }
    }
}

/// An output file handed to one writing task at a time (the day pipeline awaits each day's writes before
/// starting the next day's), which is what makes sharing it across tasks safe.
final class ShardFile: @unchecked Sendable {
    let file: OutputFile
    init(_ file: OutputFile) { self.file = file }
}
