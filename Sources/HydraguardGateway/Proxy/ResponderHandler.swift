import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// What answers the requests of a ``ResponderChildChannel``: the gateway, or the upstream stub.
protocol HTTPResponder: Sendable {
    /// Largest request body read; a longer one reaches ``serve(_:on:reply:)`` cut just past this size.
    var maxBodyBytes: Int { get }
    /// Answers a request: calls `reply` once, on `loop`, with the answer.
    func serve(_ request: GatewayRequest, on loop: any EventLoop, reply: @escaping (GatewayAnswer) -> Void)
    /// How long a streamed answer may go on after graceful shutdown begins before it is cut; nil to wait
    /// for it however long it takes.
    var shutdownTimeout: TimeAmount? { get }
    /// The lower-case name of a header to read into ``GatewayRequest/tlsFingerprint``, if any.
    var fingerprintHeader: String? { get }
}

extension HTTPResponder {
    var fingerprintHeader: String? { nil }
}

extension Gateway: HTTPResponder {
    var maxBodyBytes: Int { config.maxBodyBytes }
    var shutdownTimeout: TimeAmount? { .milliseconds(Int64(config.shutdownTimeoutMs)) }
    var fingerprintHeader: String? { config.tlsFingerprintHeader }
}

/// Connections served by the ``RequestDecoder`` and the ``ResponderHandler``: a request is read
/// whole on its event loop, answered by the responder on that loop, and its answer written back there (a
/// whole answer as one buffer in one flush, a stream chunk by chunk as each write completes). It runs
/// inside Hummingbird's server, which owns the listening socket, its lifecycle and graceful shutdown.
struct ResponderChildChannel: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        let channel: any Channel
        let handler: NIOLoopBound<ResponderHandler>
    }

    let responder: any HTTPResponder

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            // One handler, which reads requests with its own ``RequestDecoder``: no decoder handler before it,
            // so that a request is not boxed into a `NIOAny` and unboxed again by a dynamic cast. It queues
            // pipelined requests itself, so that reading is not switched off and on around every answer (two
            // epoll_ctl calls a request); it answers a request that cannot be parsed itself; and it frames its
            // answers itself, each as one buffer, so that an answer is one write through the pipeline rather
            // than three through an encoder and NIO's header validator and error handler. The header values it
            // writes are the responder's own or ones the decoder accepted, so there is nothing to validate.
            let handler = ResponderHandler(
                responder: responder,
                decoder: RequestDecoder(
                    maxBodyBytes: responder.maxBodyBytes,
                    fingerprintHeader: responder.fingerprintHeader.map { Array($0.utf8) }))
            try channel.pipeline.syncOperations.addHandler(handler)
            return Value(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
        }
    }

    func handle(value: Value, logger: Logger) async {
        await withGracefulShutdownHandler {
            try? await value.channel.closeFuture.get()
        } onGracefulShutdown: { [responder] in
            value.channel.eventLoop.execute { value.handler.value.closeWhenIdle(cutStreamAfter: responder.shutdownTimeout) }
        }
    }
}

/// Reads requests from the connection's bytes with a ``RequestDecoder`` and answers one at a time: runs it
/// through ``HTTPResponder/serve(_:on:reply:)`` and writes the answer, framed as HTTP/1.1 (or 1.0) by
/// ``ResponseFraming``. Requests a client pipelines behind it wait in a short queue, and reading stops while
/// that is full.
final class ResponderHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// Pipelined requests held while one is answered; beyond this, reading waits.
    static let maxQueued = 8

    private let responder: any HTTPResponder
    private var decoder: RequestDecoder
    private var unread = UnreadBytes()
    /// A request could not be parsed: nothing more is read.
    private var unparseable = false
    private var peer: String?
    private var peerKnown = false
    private var busy = false
    private var closing = false
    private var queued: [(RequestHead, ByteBuffer)] = []
    private var readPending = false
    /// The task writing a streamed answer, while it runs.
    private var streamTask: Task<Void, Never>?
    /// The last secret that matched on this connection (see ``KeyMemo``).
    private let keyMemo = KeyMemo()

    init(responder: any HTTPResponder, decoder: RequestDecoder) {
        self.responder = responder
        self.decoder = decoder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !unparseable else { return }
        var buffer = unread.joined(with: unwrapInboundIn(data))
        do {
            // Each request is passed on as it is read whole. Nothing it leads to reads from `decoder` again: a
            // pipelined request waits in `queued`, and reading more waits for the next read from the socket.
            while buffer.readableBytes > 0,
                try decoder.decode(buffer: &buffer, emit: { received($0, context: context) }) == .continue
            {}
        } catch {
            unparseable = true
            return refuseUnparseable(context: context)
        }
        unread.keep(buffer)
    }

    private func received(_ part: RequestPart, context: ChannelHandlerContext) {
        switch part {
        case .continueExpected:
            // A client that waits for leave to send its body (curl does for large ones) gets it at once.
            var buffer = context.channel.allocator.buffer(capacity: 32)
            buffer.writeStaticString("HTTP/1.1 100 Continue\r\n\r\n")
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer)), promise: nil)
        case .request(let head, let body):
            if busy {
                queued.append((head, body))
            } else {
                dispatch(head, body: body, context: context)
            }
        }
    }

    private func dispatch(_ head: RequestHead, body: ByteBuffer, context: ChannelHandlerContext) {
        if !peerKnown {
            peer = context.channel.remoteAddress?.ipAddress
            peerKnown = true
        }
        busy = true
        let keepAlive = head.keepAlive
        let version = head.version
        let request = GatewayRequest(head: head, body: body, peer: peer, keyMemo: keyMemo)
        // Everything up to the answer runs on this loop (the upstream's connection is one of its own), so
        // the answer is written from inside the upstream's read, with no hop.
        responder.serve(request, on: context.eventLoop) { answer in
            self.write(answer, version: version, keepAlive: keepAlive, context: context)
        }
    }

    /// Writes an answer: one of known length as one buffer in a single flush, a stream as each chunk arrives.
    private func write(_ answer: GatewayAnswer, version: HTTPVersion, keepAlive: Bool, context: ChannelHandlerContext) {
        switch answer {
        case .whole(let status, let headers, var body):
            var buffer = context.channel.allocator.buffer(capacity: 512 + body.readableBytes)
            ResponseFraming.writeHead(
                version: version, status: status, headers: headers, length: body.readableBytes, keepAlive: keepAlive,
                into: &buffer)
            buffer.writeBuffer(&body)
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer)), promise: nil)
            answered(context: context, keepAlive: keepAlive)
        case .stream(let status, let headers, let stream):
            // HTTP/1.0 has no chunked framing: the stream ends with the connection.
            let chunked = version.minor >= 1
            let keepAlive = keepAlive && chunked
            var buffer = context.channel.allocator.buffer(capacity: 512)
            ResponseFraming.writeHead(
                version: version, status: status, headers: headers, length: nil, keepAlive: keepAlive, into: &buffer)
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer)), promise: nil)
            let loop = context.eventLoop
            let target = NIOLoopBound(ResponseTarget(context: context, handler: self), eventLoop: loop)
            let writer = StreamingWriter(target: target, loop: loop, chunked: chunked, state: StreamState())
            streamTask = Task(executorPreference: EventLoopTaskExecutor.for(loop)) {
                await stream(writer)
                let finished = writer.state.finished
                loop.execute {
                    // An answer that did not finish cannot be framed as whole: the connection ends with it.
                    target.value.handler.answered(context: target.value.context, keepAlive: keepAlive && finished)
                }
            }
        }
    }

    /// Called on the loop when the answer has ended.
    fileprivate func answered(context: ChannelHandlerContext, keepAlive: Bool) {
        busy = false
        streamTask = nil
        if !keepAlive || closing {
            queued.removeAll()
            context.close(promise: nil)
            return
        }
        if !queued.isEmpty {
            let (head, body) = queued.removeFirst()
            dispatch(head, body: body, context: context)
        }
        if readPending, queued.count < Self.maxQueued {
            readPending = false
            context.read()
        }
    }

    /// A request that cannot be parsed ends the connection: answered 400 at once when no answer is under
    /// way, else closed once that answer is written (requests pipelined behind it are dropped).
    private func refuseUnparseable(context: ChannelHandlerContext) {
        unread.drop()
        guard !closing else { return }
        closing = true
        queued.removeAll()
        guard !busy else { return }
        var buffer = context.channel.allocator.buffer(capacity: 96)
        ResponseFraming.writeHead(
            version: .http1_1, status: .badRequest, headers: [:], length: 0, keepAlive: false, into: &buffer)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A request cut by the end of the connection cannot be answered: what was read of it is dropped.
        unread.drop()
        context.fireChannelInactive()
    }

    func read(context: ChannelHandlerContext) {
        if queued.count >= Self.maxQueued {
            readPending = true
        } else {
            context.read()
        }
    }

    /// Graceful shutdown: closes the connection now when no answer is in progress, else once it is written.
    /// A streamed answer still going after `timeout` is cut (its task cancelled: the responder ends it in its
    /// API's format and records it), so that shutdown ends while its record can still be written.
    func closeWhenIdle(cutStreamAfter timeout: TimeAmount?) {
        closing = true
        guard let context else { return }
        guard busy else { return context.close(promise: nil) }
        guard let timeout else { return }
        context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { self.streamTask?.cancel() }
    }

    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

}

/// What an answer is written to: the request's pipeline context and its handler (used on their loop only).
struct ResponseTarget {
    let context: ChannelHandlerContext
    let handler: ResponderHandler
}

/// Whether a streamed answer was finished by its writer.
private final class StreamState: @unchecked Sendable {
    var finished = false
}

/// Writes a stream chunk by chunk, each flushed at once (as an HTTP/1.1 chunk, or as it is on HTTP/1.0); a
/// write fails (and the gateway sees a client that went away) once the connection is closed.
private struct StreamingWriter: AnswerStreamWriter {
    let target: NIOLoopBound<ResponseTarget>
    let loop: any EventLoop
    let chunked: Bool
    let state: StreamState

    func write(_ buffer: ByteBuffer) async throws {
        // An empty chunk would end a chunked stream; it has nothing to send either way.
        guard buffer.readableBytes > 0 else { return }
        guard chunked else { return try await send(buffer) }
        var chunk = ByteBufferAllocator().buffer(capacity: buffer.readableBytes + 16)
        chunk.writeString(String(buffer.readableBytes, radix: 16))
        chunk.writeStaticString("\r\n")
        chunk.writeImmutableBuffer(buffer)
        chunk.writeStaticString("\r\n")
        try await send(chunk)
    }

    func finish() async throws {
        state.finished = true
        guard chunked else { return }
        try await send(ByteBuffer(staticString: "0\r\n\r\n"))
    }

    /// Writes and flushes bytes on the connection's loop; returns once they are written.
    private func send(_ bytes: ByteBuffer) async throws {
        let target = target
        let written: EventLoopFuture<Void> =
            loop.inEventLoop
            ? target.value.context.writeAndFlush(NIOAny(IOData.byteBuffer(bytes)))
            : loop.flatSubmit { target.value.context.writeAndFlush(NIOAny(IOData.byteBuffer(bytes))) }
        try await written.get()
    }
}

/// The head of an HTTP/1.x answer, written as NIO's response encoder writes it, with the framing header the
/// answer needs: its length when known, else chunked transfer encoding on HTTP/1.1 (on HTTP/1.0 the answer
/// ends with the connection); and `connection: close` when the connection ends after it.
enum ResponseFraming {
    static func writeHead(
        version: HTTPVersion, status: HTTPResponseStatus, headers: HTTPHeaders, length: Int?, keepAlive: Bool,
        into buffer: inout ByteBuffer
    ) {
        buffer.writeStaticString(version.minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
        buffer.writeString(String(status.code))
        buffer.writeStaticString(" ")
        buffer.writeString(status.reasonPhrase)
        buffer.writeStaticString("\r\n")
        for (name, value) in headers { buffer.writeHeaderLine(name, value) }
        if let length {
            buffer.writeHeaderLine("content-length", String(length))
        } else if version.minor >= 1 {
            buffer.writeStaticString("transfer-encoding: chunked\r\n")
        }
        if !keepAlive { buffer.writeStaticString("connection: close\r\n") }
        buffer.writeStaticString("\r\n")
    }
}

extension ByteBuffer {
    /// `name: value` and CRLF, as an HTTP/1.x head carries a header.
    mutating func writeHeaderLine(_ name: String, _ value: String) {
        writeString(name)
        writeStaticString(": ")
        writeString(value)
        writeStaticString("\r\n")
    }
}
