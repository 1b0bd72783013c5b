import Foundation
@testable import HydraguardLog

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "hydraguard-log-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    /// Writes `text` as the file `name` (plain bytes, whatever the name's suffix).
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let p = file(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: p))
        return p
    }

    func contents() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A valid events line with the required fields; `extra` is spliced in before the closing brace.
func eventLine(request: String = "r1", account: String = "acct_1", extra: String = "") -> String {
    #"{"ts":"2026-04-22T10:15:03.123Z","request_id":"\#(request)","account_id":"\#(account)","key_id":"k1","#
        + #""ip":"203.0.113.7","model":"m-large","status":200,"input_tokens":12,"output_tokens":34\#(extra)}"#
}

/// Runs `body` on a scanner over `text`.
func scan<T>(_ text: String, _ body: (inout JSONLineScanner) throws -> T) throws -> T {
    var text = text
    return try text.withUTF8 { utf8 in
        var scanner = JSONLineScanner(UnsafeRawBufferPointer(utf8))
        return try body(&scanner)
    }
}

/// Reads every record of `paths`, or the error the read stopped with.
func readAll<R: JSONLineRecord>(
    _ type: R.Type, _ paths: [String], lenient: Bool = false, chunkSize: Int = 4 << 20, workers: Int = 2
) -> Result<(records: [R], statistics: ReadStatistics), LogFormatError> {
    do {
        return .success(
            try JSONLinesReader<R>(paths: paths, lenient: lenient, chunkSize: chunkSize, workers: workers).readAll())
    } catch let error as LogFormatError {
        return .failure(error)
    } catch {
        fatalError("unexpected error \(error)")
    }
}

extension Result {
    var value: Success? {
        if case .success(let v) = self { return v }
        return nil
    }

    var error: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}
