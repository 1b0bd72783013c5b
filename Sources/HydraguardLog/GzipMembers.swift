import CZlib
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// gzip compression on every core: the text is cut into 1 MiB blocks, each compressed on its own into a
/// complete gzip member, and the members are written in order. A file of concatenated members is one
/// valid gzip stream (RFC 1952, section 2.2); `gzip -d`, zlib and ``JSONLinesReader`` read it whole.
///
/// Compression runs in the background: while one batch of blocks is compressed, the caller fills the next.
final class GzipMembers {
    let level: Int32
    let blockSize: Int
    let workers: Int
    private var pending: [UInt8] = []
    private var inFlight: CompressJob?
    private var membersWritten = 0

    init(level: Int32, blockSize: Int = 1 << 20, workers: Int? = nil) {
        self.level = level
        self.blockSize = blockSize
        self.workers = max(1, workers ?? onlineProcessorCount())
        pending.reserveCapacity(blockSize * self.workers)
    }

    deinit { inFlight?.waitForMembers() }

    /// Adds text; `output` receives compressed members, in order.
    func add(_ bytes: UnsafeRawBufferPointer, _ output: ([UInt8]) throws(LogFormatError) -> Void) throws(LogFormatError) {
        pending.append(contentsOf: bytes)
        if pending.count >= blockSize * workers {
            let batch = pending
            pending = []
            pending.reserveCapacity(blockSize * workers)
            try drain(output)
            inFlight = CompressJob(batch, level: level, blockSize: blockSize)
        }
    }

    /// Compresses what is left and hands over every remaining member (at least one, so an empty file is
    /// still a valid gzip file).
    func finish(_ output: ([UInt8]) throws(LogFormatError) -> Void) throws(LogFormatError) {
        try drain(output)
        if !pending.isEmpty || membersWritten == 0 {
            let members = CompressJob.compress(pending, level: level, blockSize: blockSize)
            pending = []
            for member in members {
                membersWritten += 1
                try output(member)
            }
        }
    }

    /// Waits for the batch in flight, if any, and writes its members.
    private func drain(_ output: ([UInt8]) throws(LogFormatError) -> Void) throws(LogFormatError) {
        guard let job = inFlight else { return }
        inFlight = nil
        for member in job.waitForMembers() {
            membersWritten += 1
            try output(member)
        }
    }
}

/// One batch of blocks being compressed in the background.
///
/// `@unchecked Sendable`: `members` is written once by the background work before it signals `done`,
/// and read only after waiting on `done`.
final class CompressJob: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var members: [[UInt8]] = []
    private var waited = false

    init(_ text: [UInt8], level: Int32, blockSize: Int) {
        DispatchQueue.global().async {
            self.members = CompressJob.compress(text, level: level, blockSize: blockSize)
            self.done.signal()
        }
    }

    @discardableResult
    func waitForMembers() -> [[UInt8]] {
        if !waited {
            done.wait()
            waited = true
        }
        let m = members
        members = []
        return m
    }

    /// `text` in blocks of `blockSize`, each compressed into a gzip member, on all cores.
    static func compress(_ text: [UInt8], level: Int32, blockSize: Int) -> [[UInt8]] {
        let blocks = max(1, (text.count + blockSize - 1) / blockSize)
        let slots = ResultSlots<[UInt8]>(count: blocks)
        DispatchQueue.concurrentPerform(iterations: blocks) { b in
            let lower = b * blockSize
            let upper = min(text.count, lower + blockSize)
            let compressed = text.withUnsafeBytes { member(UnsafeRawBufferPointer(rebasing: $0[lower..<upper]), level: level) }
            slots.set(b, compressed)
        }
        return slots.take()
    }

    /// One complete gzip member holding `block`.
    static func member(_ block: UnsafeRawBufferPointer, level: Int32) -> [UInt8] {
        var stream = z_stream()
        let ok = deflateInit2_(
            &stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size))
        precondition(ok == Z_OK, "deflateInit2 failed: \(ok)")
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, UInt(block.count)))
        var out = [UInt8](repeating: 0, count: bound)
        let produced = out.withUnsafeMutableBufferPointer { o -> Int in
            stream.next_in = UnsafeMutablePointer(mutating: block.baseAddress?.assumingMemoryBound(to: UInt8.self))
            stream.avail_in = UInt32(block.count)
            stream.next_out = o.baseAddress
            stream.avail_out = UInt32(bound)
            let result = deflate(&stream, Z_FINISH)
            // deflateBound leaves room for everything, so one call finishes the member.
            precondition(result == Z_STREAM_END, "deflate did not finish: \(result)")
            return bound - Int(stream.avail_out)
        }
        out.removeSubrange(produced...)
        return out
    }
}
