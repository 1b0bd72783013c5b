import Dispatch
import Synchronization

/// Cuts a file's text into chunks of whole lines, about `chunkSize` bytes each (a line longer than that
/// makes its chunk longer).
///
/// `@unchecked Sendable`: handed to the read-ahead thread, which alone uses it until it ends.
final class ChunkSource: @unchecked Sendable {
    let input: InputFile
    let chunkSize: Int
    private var leftover: [UInt8] = []
    private var atEnd = false

    init(input: InputFile, chunkSize: Int) {
        self.input = input
        self.chunkSize = chunkSize
    }

    /// The next run of whole lines (the last one may lack its newline); nil at the end of the file.
    func next() throws(LogFormatError) -> [UInt8]? {
        while !atEnd {
            let chunk = try read()
            if !chunk.isEmpty { return chunk }
        }
        return nil
    }

    private func read() throws(LogFormatError) -> [UInt8] {
        var capacity = max(chunkSize, leftover.count * 2)
        while true {
            var eof = false
            var readError: LogFormatError?
            let carried = leftover
            let input = self.input
            var buffer = [UInt8](unsafeUninitializedCapacity: capacity) { raw, initialized in
                carried.withUnsafeBufferPointer { raw.baseAddress!.update(from: $0.baseAddress!, count: $0.count) }
                var n = carried.count
                while n < capacity {
                    do throws(LogFormatError) {
                        let got = try input.read(into: raw.baseAddress! + n, count: capacity - n)
                        if got == 0 {
                            eof = true
                            break
                        }
                        n += got
                    } catch {
                        readError = error
                        break
                    }
                }
                initialized = n
            }
            if let readError { throw readError }
            if eof {
                leftover = []
                atEnd = true
                return buffer
            }
            // Cut after the last newline.
            if let lastNewline = buffer.lastIndex(of: 0x0A) {
                leftover = Array(buffer[(lastNewline + 1)...])
                buffer.removeSubrange((lastNewline + 1)...)
                return buffer
            }
            // One line longer than a chunk: keep reading it.
            leftover = buffer
            capacity *= 2
        }
    }
}

/// Reads a ``ChunkSource`` ahead on a thread of its own (a serial queue, so that it never takes one of
/// the threads the parse runs on), holding at most `depth` chunks that are not yet taken.
///
/// `@unchecked Sendable`: the source is touched only by the reading thread until ``stop()`` has waited
/// for that thread to end; everything else shared is behind the mutex or a semaphore.
final class ChunkPrefetcher: @unchecked Sendable {
    private enum Item {
        case chunk([UInt8])
        case end
        case failure(LogFormatError)
    }

    private struct State: ~Copyable {
        /// At most `depth` + 1 items (the chunks and the end), so taking from the front is cheap.
        var ready: [Item] = []
        var stopped = false
    }

    private let state = Mutex(State())
    private let items = DispatchSemaphore(value: 0)
    private let slots: DispatchSemaphore
    private let finished = DispatchSemaphore(value: 0)
    /// Set by the consumer once it has seen the end or an error.
    private var done = false

    init(_ source: ChunkSource, depth: Int) {
        // Start at zero and signal up: libdispatch traps when a semaphore is freed below its initial
        // value, which a read stopped early would leave it.
        slots = DispatchSemaphore(value: 0)
        for _ in 0..<max(1, depth) { slots.signal() }
        DispatchQueue(label: "hydraguard.read-ahead").async { [self] in
            defer { finished.signal() }
            while true {
                slots.wait()
                if state.withLock({ $0.stopped }) { return }
                let item: Item
                do throws(LogFormatError) {
                    item = try source.next().map { .chunk($0) } ?? .end
                } catch {
                    item = .failure(error)
                }
                state.withLock { $0.ready.append(item) }
                items.signal()
                guard case .chunk = item else { return }
            }
        }
    }

    /// The next chunk, waiting for it if need be; nil at the end of the file. Consumer side only.
    func next() throws(LogFormatError) -> [UInt8]? {
        if done { return nil }
        items.wait()
        let item = state.withLock { $0.ready.removeFirst() }
        switch item {
        case .chunk(let chunk):
            slots.signal()
            return chunk
        case .end:
            done = true
            return nil
        case .failure(let error):
            done = true
            throw error
        }
    }

    /// Stops reading ahead and waits until the reading thread has let go of the source.
    func stop() {
        state.withLock { $0.stopped = true }
        slots.signal()
        finished.wait()
    }
}
