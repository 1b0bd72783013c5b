/// Writes records as JSON Lines, buffered, to a plain or gzip file (see ``OutputFile``).
///
/// ```swift
/// let writer = try JSONLinesWriter<UsageEvent>(path: "events.jsonl.gz")
/// try writer.write(event)
/// try writer.finish()   // the file appears only now
/// ```
public final class JSONLinesWriter<Record: JSONLineRecord> {
    private let file: OutputFile
    private var out = JSONOutput(capacity: 1 << 20)
    public private(set) var count = 0

    /// `compressionLevel` is gzip's, 1 (fastest, the default) to 9 (smallest), for a path ending in `.gz`.
    public init(path: String, compressionLevel: Int32 = 1) throws(LogFormatError) {
        file = try OutputFile(path: path, compressionLevel: compressionLevel)
    }

    public var path: String { file.path }

    public func write(_ record: Record) throws(LogFormatError) {
        record.encode(into: &out)
        out.bytes.append(0x0A)
        out.needsComma = false
        count += 1
        if out.bytes.count >= 1 << 20 { try flush() }
    }

    /// Writes an already encoded line (without its newline).
    public func write(encodedLine: some Collection<UInt8>) throws(LogFormatError) {
        out.bytes.append(contentsOf: encodedLine)
        out.bytes.append(0x0A)
        count += 1
        if out.bytes.count >= 1 << 20 { try flush() }
    }

    private func flush() throws(LogFormatError) {
        try file.write(out.bytes)
        out.removeAll()
    }

    /// Flushes and publishes the file.
    public func finish() throws(LogFormatError) {
        try flush()
        try file.commit()
    }

    /// Gives up: nothing is published.
    public func abandon() { file.abandon() }
}
