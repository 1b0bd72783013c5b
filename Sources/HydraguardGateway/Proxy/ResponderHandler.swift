import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// What answers the requests of a ``ResponderChildChannel``: the gateway, or the upstream stub.
protocol HTTPResponder: Sendable {
    /// Largest request body read; a longer one reaches ``serve(_:on:)`` cut just past this size.
    var maxBodyBytes: Int { get }
    /// Answers a request; the future never fails and completes on `loop`.
    func serve(_ request: GatewayRequest, on loop: any EventLoop) -> EventLoopFuture<GatewayAnswer>
}

extension Gateway: HTTPResponder {
    var maxBodyBytes: Int { config.maxBodyBytes }
}

/// Connections served straight from SwiftNIO's HTTP/1.1 pipeline: a request is read whole on its event
/// loop, answered by the responder on that loop, and its answer written back there (a whole answer in one
/// flush, a stream chunk by chunk as each write completes). It runs inside Hummingbird's server, which
/// owns the listening socket, its lifecycle and graceful shutdown.
struct ResponderChildChannel: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        let channel: any Channel
        let handler: NIOLoopBound<ResponderHandler>
    }

    let responder: any HTTPResponder

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let handler = ResponderHandler(responder: responder)
            // Only the decoder and the encoder: the handler queues pipelined requests itself, so that
            // reading is not switched off and on around every answer (two epoll_ctl calls a request), and
            // answers a request that cannot be parsed itself. Outbound header validation is off: every
            // header value written is the gateway's own or one that NIO's parser already accepted, and
            // each handler skipped is three fewer hops for every answer.
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false)
            try channel.pipeline.syncOperations.addHandler(handler)
            return Value(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
        }
    }

    func handle(value: Value, logger: Logger) async {
        await withGracefulShutdownHandler {
            try? await value.channel.closeFuture.get()
        } onGracefulShutdown: {
            value.channel.eventLoop.execute { value.handler.value.closeWhenIdle() }
        }
    }
}

/// Answers one request at a time: runs it through ``HTTPResponder/serve(_:on:)`` and writes the answer.
/// Requests a client pipelines behind it wait in a short queue, and reading stops while that is full.
final class ResponderHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Pipelined requests held while one is answered; beyond this, reading waits.
    static let maxQueued = 8

    private let responder: any HTTPResponder
    private let maxBody: Int
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var peer: String?
    private var peerKnown = false
    private var busy = false
    private var closing = false
    private var queued: [(HTTPRequestHead, ByteBuffer)] = []
    private var readPending = false

    init(responder: any HTTPResponder) {
        self.responder = responder
        maxBody = responder.maxBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = nil
            // A client that waits for leave to send its body (curl does for large ones) gets it at once.
            if head.version.minor >= 1, head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                context.writeAndFlush(
                    wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
            }
        case .body(var chunk):
            // Kept up to just past the limit: the handler answers 413 for anything longer.
            if body == nil {
                body = chunk
            } else if body!.readableBytes <= maxBody {
                body!.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let whole = body ?? ByteBuffer()
            body = nil
            if busy {
                queued.append((head, whole))
            } else {
                dispatch(head, body: whole, context: context)
            }
        }
    }

    private func dispatch(_ head: HTTPRequestHead, body: ByteBuffer, context: ChannelHandlerContext) {
        if !peerKnown {
            peer = context.channel.remoteAddress?.ipAddress
            peerKnown = true
        }
        busy = true
        let keepAlive = head.isKeepAlive
        let version = head.version
        let request = GatewayRequest(head: head, body: body, peer: peer)
        // Everything up to the answer runs on this loop (the upstream's connection is one of its own), so
        // the answer is written from inside the upstream's read, with no hop.
        responder.serve(request, on: context.eventLoop).assumeIsolated().whenComplete { result in
            let answer = (try? result.get()) ?? Gateway.internalErrorAnswer
            self.write(answer, version: version, keepAlive: keepAlive, context: context)
        }
    }

    /// Writes an answer: one of known length in a single flush, a stream as each chunk arrives.
    private func write(_ answer: GatewayAnswer, version: HTTPVersion, keepAlive: Bool, context: ChannelHandlerContext) {
        switch answer {
        case .whole(let status, var headers, let body):
            headers.add(name: "content-length", value: String(body.readableBytes))
            if !keepAlive { headers.add(name: "connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))),
                          promise: nil)
            if body.readableBytes > 0 { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            answered(context: context, keepAlive: keepAlive)
        case .stream(let status, var headers, let stream):
            if !keepAlive { headers.add(name: "connection", value: "close") }
            context.writeAndFlush(
                wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
            let loop = context.eventLoop
            let target = NIOLoopBound(ResponseTarget(context: context, handler: self), eventLoop: loop)
            let writer = StreamingWriter(target: target, loop: loop, state: StreamState())
            Task {
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
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !closing else { return }
        closing = true
        queued.removeAll()
        guard !busy else { return }
        let headers = HTTPHeaders([("connection", "close"), ("content-length", "0")])
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers))),
                      promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func read(context: ChannelHandlerContext) {
        if queued.count >= Self.maxQueued {
            readPending = true
        } else {
            context.read()
        }
    }

    /// Graceful shutdown: closes the connection now if no request is being answered, else after the answer.
    func closeWhenIdle() {
        closing = true
        if !busy { context?.close(promise: nil) }
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

/// Writes a stream chunk by chunk, each flushed at once; a write fails (and the gateway sees a client
/// that went away) once the connection is closed.
private struct StreamingWriter: AnswerStreamWriter {
    let target: NIOLoopBound<ResponseTarget>
    let loop: any EventLoop
    let state: StreamState

    func write(_ buffer: ByteBuffer) async throws {
        try await send(.body(.byteBuffer(buffer)))
    }

    func finish() async throws {
        state.finished = true
        try await send(.end(nil))
    }

    /// Writes and flushes one part on the connection's loop; returns once it is written.
    private func send(_ part: HTTPServerResponsePart) async throws {
        let target = target
        let written: EventLoopFuture<Void> =
            loop.inEventLoop
            ? target.value.context.writeAndFlush(NIOAny(part))
            : loop.flatSubmit { target.value.context.writeAndFlush(NIOAny(part)) }
        try await written.get()
    }
}
