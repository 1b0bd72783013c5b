import HTTPTypes
public import HummingbirdCore
import Logging
public import NIOCore
import NIOHTTP1
import ServiceLifecycle

extension Gateway {
    /// The gateway's routes: the two model APIs, the model list and a health check.
    func route(_ request: Request, peer: String?) async -> Response {
        let path = request.uri.path
        switch (request.method, path) {
        case (.post, "/v1/messages"): return await handle(request, peer: peer, flavor: .anthropic)
        case (.post, "/v1/chat/completions"): return await handle(request, peer: peer, flavor: .openai)
        case (.get, "/v1/models"): return await handleModels(request, peer: peer)
        case (.get, "/healthz"): return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        default:
            let flavor: APIFlavor = path.hasPrefix("/v1/messages") || request.headers[.anthropicVersion] != nil
                ? .anthropic : .openai
            return errorResponse(
                GatewayError(.notFound, "no route for \(request.method) \(path)"), flavor: flavor,
                requestID: Self.requestID())
        }
    }
}

/// The gateway's connections, served straight from SwiftNIO's HTTP/1.1 pipeline: a request is read whole
/// on its event loop, handled in one task, and its answer written back on that loop (a non-streamed answer
/// in one flush, a stream chunk by chunk as each write completes). It runs inside Hummingbird's server,
/// which owns the listening socket, its lifecycle and graceful shutdown.
struct GatewayChildChannel: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        let channel: any Channel
        let handler: NIOLoopBound<GatewayServerHandler>
    }

    let gateway: Gateway

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let handler = GatewayServerHandler(gateway: gateway)
            // No pipelining assistance: the handler queues pipelined requests itself, so that reading is
            // not switched off and on around every answer (two epoll_ctl calls a request).
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                withPipeliningAssistance: false, withErrorHandling: true)
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

/// Answers one request at a time: runs it through ``Gateway/route(_:peer:)`` and writes the answer.
/// Requests a client pipelines behind it wait in a short queue, and reading stops while that is full.
final class GatewayServerHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Pipelined requests held while one is answered; beyond this, reading waits.
    static let maxQueued = 8

    private let gateway: Gateway
    private let maxBody: Int
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var peer: String?
    private var peerKnown = false
    private var busy = false
    private var closing = false
    private var queued: [(HTTPRequestHead, ByteBuffer)] = []
    private var readPending = false

    init(gateway: Gateway) {
        self.gateway = gateway
        maxBody = gateway.config.maxBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = nil
            // A client that waits for leave to send its body (curl does for large ones) gets it at once.
            if head.headers.contains(name: "expect"),
                head.headers.first(name: "expect")?.lowercased() == "100-continue", head.version.minor >= 1
            {
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
        guard let request = Self.request(head, body: body) else {
            context.close(promise: nil)
            return
        }
        busy = true
        let gateway = gateway
        let peer = peer
        let loop = context.eventLoop
        let bound = NIOLoopBound(ResponseTarget(context: context, handler: self), eventLoop: loop)
        let keepAlive = head.isKeepAlive
        let version = head.version
        Task {
            let response = await gateway.route(request, peer: peer)
            await AnswerWriter.write(response, version: version, keepAlive: keepAlive, to: bound, loop: loop)
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

    /// The request headers the gateway reads (identity, address, client, API version); no other is
    /// passed on, so no other is converted.
    static let readHeaders: [(lowercased: [UInt8], name: HTTPField.Name)] = [
        HTTPField.Name.xAPIKey, .authorization, .xForwardedFor, .userAgent, .anthropicVersion,
        HTTPField.Name("anthropic-beta")!,
    ].map { (Array($0.canonicalName.utf8), $0) }

    /// NIO's request head as Hummingbird's request, with the headers the gateway reads; nil for a method
    /// HTTPTypes rejects.
    static func request(_ head: HTTPRequestHead, body: ByteBuffer) -> Request? {
        var fields = HTTPFields()
        for (name, value) in head.headers {
            let utf8 = name.utf8
            for known in readHeaders where known.lowercased.count == utf8.count {
                if zip(utf8, known.lowercased).allSatisfy({ $0 | 0x20 == $1 | 0x20 }) {
                    fields.append(HTTPField(name: known.name, value: value))
                    break
                }
            }
        }
        guard let method = HTTPRequest.Method(head.method.rawValue) else { return nil }
        let http = HTTPRequest(method: method, scheme: nil, authority: nil, path: head.uri, headerFields: fields)
        return Request(head: http, body: RequestBody(buffer: body))
    }

}

/// Writes the gateway's answers to their connections.
enum AnswerWriter {
    /// Writes an answer: one of known length in a single flush, a stream as each chunk arrives.
    static func write(
        _ response: Response, version: HTTPVersion, keepAlive: Bool, to target: NIOLoopBound<ResponseTarget>,
        loop: any EventLoop
    ) async {
        var headers = HTTPHeaders()
        headers.reserveCapacity(response.headers.count + 2)
        for field in response.headers { headers.add(name: field.name.rawName, value: field.value) }
        if !keepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: response.status.code, reasonPhrase: response.status.reasonPhrase)
        if let length = response.body.contentLength {
            headers.replaceOrAdd(name: "content-length", value: String(length))
            let collected = CollectedBody()
            try? await response.body.write(CollectingWriter(collected: collected))
            let head = HTTPResponseHead(version: version, status: status, headers: headers)
            let buffers = collected.buffers
            onLoop(loop) {
                let context = target.value.context
                context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
                for buffer in buffers { context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))), promise: nil) }
                context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)), promise: nil)
                target.value.handler.answered(context: context, keepAlive: keepAlive)
            }
        } else {
            let head = HTTPResponseHead(version: version, status: status, headers: headers)
            let state = StreamState()
            onLoop(loop) {
                target.value.context.writeAndFlush(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
            }
            try? await response.body.write(StreamingWriter(target: target, loop: loop, state: state))
            let finished = state.finished
            onLoop(loop) {
                let context = target.value.context
                // An answer that did not finish cannot be framed as whole: the connection ends with it.
                target.value.handler.answered(context: context, keepAlive: keepAlive && finished)
            }
        }
    }

    static func onLoop(_ loop: any EventLoop, _ work: @escaping @Sendable () -> Void) {
        if loop.inEventLoop { work() } else { loop.execute(work) }
    }
}

/// What an answer is written to: the request's pipeline context and its handler (used on their loop only).
struct ResponseTarget {
    let context: ChannelHandlerContext
    let handler: GatewayServerHandler
}

/// The buffers of an answer of known length, gathered before they are written in one flush.
private final class CollectedBody: @unchecked Sendable {
    var buffers: [ByteBuffer] = []
}

private struct CollectingWriter: ResponseBodyWriter {
    let collected: CollectedBody
    mutating func write(_ buffer: ByteBuffer) async throws { collected.buffers.append(buffer) }
    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// Whether a streamed answer was finished by its writer.
private final class StreamState: @unchecked Sendable {
    var finished = false
}

/// Writes a stream chunk by chunk, each flushed at once; a write fails (and the gateway sees a client
/// that went away) once the connection is closed.
private struct StreamingWriter: ResponseBodyWriter {
    let target: NIOLoopBound<ResponseTarget>
    let loop: any EventLoop
    let state: StreamState

    mutating func write(_ buffer: ByteBuffer) async throws {
        let target = target
        let written: EventLoopFuture<Void> =
            loop.inEventLoop
            ? target.value.context.writeAndFlush(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))))
            : loop.flatSubmit { target.value.context.writeAndFlush(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer)))) }
        try await written.get()
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        let target = target
        let written: EventLoopFuture<Void> =
            loop.inEventLoop
            ? target.value.context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
            : loop.flatSubmit { target.value.context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))) }
        state.finished = true
        try await written.get()
    }
}
