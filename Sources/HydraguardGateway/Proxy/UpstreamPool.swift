import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// What the upstream answered: its status, the headers the gateway passes on, and the body.
struct UpstreamResponse: Sendable {
    var status: Int
    var contentType: String?
    var cacheControl: String?
    var body: UpstreamBody
}

/// A body read whole (a non-streamed request), or passed on as it arrives (a streamed one).
enum UpstreamBody: Sendable {
    case whole(ByteBuffer)
    case stream(any AsyncSequence<ByteBuffer, any Error> & Sendable)
}

/// Why an exchange with a plain-HTTP upstream failed.
enum UpstreamError: Error, Equatable {
    /// No answer (head, or for a non-streamed request the whole body) by the deadline, or no byte of a
    /// stream for the timeout's length.
    case timeout
    /// The connection could not be made, or closed before the answer was complete.
    case unreachable
    /// The connection closed before a byte of the answer came back, on a connection used before: the
    /// upstream closed an idle keep-alive connection as the request went out, so it is sent once more.
    case staleConnection
    /// A non-streamed answer larger than `upstream.max_response_bytes`.
    case tooLarge
}

/// HTTP/1.1 keep-alive connections to a plain-HTTP upstream, kept per event loop, so that a request is
/// forwarded from the loop that serves it with no thread hop. Each connection carries one exchange at a
/// time; a non-streamed answer is read whole on the loop and handed over once, a streamed one is passed
/// on chunk by chunk with back-pressure (the connection stops reading while the consumer is behind).
///
/// HTTPS upstreams go through AsyncHTTPClient instead (see ``Gateway``).
final class UpstreamPool: Sendable {
    let host: String
    let port: Int
    let basePath: String
    private let hostHeader: String
    private let group: any EventLoopGroup
    private let connectTimeout: TimeAmount
    private let maxIdlePerLoop: Int
    private let idle = Mutex<[ObjectIdentifier: [UpstreamConnection]]>([:])
    private let isShutDown = Atomic<Bool>(false)

    /// `url` is `http://host[:port][/base]`; nil for any other scheme.
    init?(url: String, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
          connectTimeout: TimeAmount = .seconds(5), maxIdlePerLoop: Int = 512) {
        guard url.lowercased().hasPrefix("http://") else { return nil }
        let rest = url.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = String(rest[..<slash])
        var path = String(rest[slash...])
        while path.hasSuffix("/") { path.removeLast() }
        let host: String
        let port: Int
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {  // [v6]:port
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.isEmpty { port = 80 } else if after.hasPrefix(":"), let p = Int(after.dropFirst()) { port = p } else { return nil }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let p = Int(authority[authority.index(after: colon)...]) else { return nil }
            port = p
        } else {
            host = authority
            port = 80
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        self.host = host
        self.port = port
        basePath = path
        hostHeader = port == 80 ? authority.replacingSuffix(":80") : authority
        self.group = group
        self.connectTimeout = connectTimeout
        self.maxIdlePerLoop = maxIdlePerLoop
    }

    /// Sends one request and returns the answer: whole when `stream` is false (by `timeout`, at most
    /// `maxBytes`), else as soon as its head arrives (by `timeout`), its body then failing with
    /// ``UpstreamError/timeout`` after `timeout` without a byte.
    func send(
        method: HTTPMethod, path: String, headers: HTTPHeaders, body: ByteBuffer?, stream: Bool, timeout: TimeAmount,
        maxBytes: Int
    ) async throws -> UpstreamResponse {
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? group.next()
        return try await exchange(
            method: method, path: path, headers: headers, body: body, stream: stream, timeout: timeout,
            maxBytes: maxBytes, on: loop
        ).get()
    }

    /// ``send(method:path:headers:body:stream:timeout:maxBytes:)`` from `loop`, on a connection of that
    /// loop: the future completes there, in the connection's read, so that a caller on the loop goes on
    /// with no hop.
    func exchange(
        method: HTTPMethod, path: String, headers: HTTPHeaders, body: ByteBuffer?, stream: Bool, timeout: TimeAmount,
        maxBytes: Int, on loop: any EventLoop
    ) -> EventLoopFuture<UpstreamResponse> {
        let bytes = Self.encodeRequest(
            method: method, uri: basePath + path, host: hostHeader, headers: headers, body: body)
        let exchange = UpstreamExchange(
            method: method, bytes: bytes, stream: stream, timeout: timeout, maxBytes: maxBytes)
        return run(exchange, on: loop)
    }

    /// A request as it goes on the wire, in one buffer: the request line, `host`, the given headers (less
    /// any `host` or `content-length` among them, which are the pool's to set), `content-length` when there
    /// is a body, and the body. The header values are the gateway's own, the configured upstream key
    /// (refused at start if it has a control character) or values NIO's parser accepted from the client,
    /// so none can break the framing.
    static func encodeRequest(method: HTTPMethod, uri: String, host: String, headers: HTTPHeaders, body: ByteBuffer?)
        -> ByteBuffer
    {
        var out = ByteBuffer()
        out.reserveCapacity(256 + uri.utf8.count + (body?.readableBytes ?? 0))
        out.writeString(method.rawValue)
        out.writeInteger(UInt8(ascii: " "))
        out.writeString(uri)
        out.writeStaticString(" HTTP/1.1\r\n")
        out.writeHeaderLine("host", host)
        for (name, value) in headers {
            // Compared without regard to case and without a lowered copy (at worst a header is dropped).
            let lowered = { (a: UInt8, b: UInt8) in a | 0x20 == b }
            if name.utf8.elementsEqual("host".utf8, by: lowered)
                || name.utf8.elementsEqual("content-length".utf8, by: lowered)
            {
                continue
            }
            out.writeHeaderLine(name, value)
        }
        if let body { out.writeHeaderLine("content-length", String(body.readableBytes)) }
        out.writeStaticString("\r\n")
        if var body { out.writeBuffer(&body) }
        return out
    }

    /// A keep-alive connection the upstream closed just as the request went out: the same exchange once
    /// more, on a fresh connection, answering the same promise (a failure there is final).
    fileprivate func retryFresh(_ exchange: UpstreamExchange, promise: EventLoopPromise<UpstreamResponse>) {
        connect(on: promise.futureResult.eventLoop).whenComplete { result in
            switch result {
            case .success(let connection): connection.handler.start(exchange, reused: false, promise: promise)
            case .failure: promise.fail(UpstreamError.unreachable)
            }
        }
    }

    private func run(_ exchange: UpstreamExchange, on loop: any EventLoop) -> EventLoopFuture<UpstreamResponse> {
        if let connection = takeIdle(on: loop) {
            return loop.inEventLoop
                ? connection.start(exchange) : loop.flatSubmit { connection.start(exchange) }
        }
        return connect(on: loop).flatMap { $0.start(exchange) }
    }

    private func takeIdle(on loop: any EventLoop) -> UpstreamConnection? {
        idle.withLock { idle in
            let id = ObjectIdentifier(loop)
            while let connection = idle[id]?.popLast() {
                if connection.channel.isActive { return connection }
            }
            return nil
        }
    }

    /// Takes back a connection whose last answer ended cleanly with keep-alive.
    fileprivate func release(_ connection: UpstreamConnection) {
        let kept = !isShutDown.load(ordering: .relaxed)
            && idle.withLock { idle -> Bool in
                let id = ObjectIdentifier(connection.channel.eventLoop)
                guard idle[id, default: []].count < maxIdlePerLoop else { return false }
                idle[id, default: []].append(connection)
                return true
            }
        if !kept { connection.channel.close(promise: nil) }
    }

    private func connect(on loop: any EventLoop) -> EventLoopFuture<UpstreamConnection> {
        let pool = self
        return ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // One handler: the request goes out as the bytes `encodeRequest` made, so there is no
                    // encoder (and no header validator: see `encodeRequest`), and the answer is read by the
                    // handler's own ``ResponseDecoder``, so that its parts are not boxed into `NIOAny`s.
                    try channel.pipeline.syncOperations.addHandler(UpstreamHandler(pool: pool))
                }
            }
            .connect(host: host, port: port)
            .flatMapThrowing { channel in
                let handler = try channel.pipeline.syncOperations.handler(type: UpstreamHandler.self)
                return UpstreamConnection(channel: channel, handler: handler, fresh: true)
            }
            .flatMapErrorThrowing { _ in throw UpstreamError.unreachable }
    }

    /// Closes the idle connections; those in use close when their exchange ends.
    func shutdown() {
        isShutDown.store(true, ordering: .relaxed)
        let all = idle.withLock { idle in
            defer { idle.removeAll() }
            return idle.values.flatMap { $0 }
        }
        for connection in all { connection.channel.close(promise: nil) }
    }
}

/// One request to send and how to read its answer.
struct UpstreamExchange: Sendable {
    var method: HTTPMethod
    /// The whole request, framed (``UpstreamPool/encodeRequest(method:uri:host:headers:body:)``).
    var bytes: ByteBuffer
    var stream: Bool
    var timeout: TimeAmount
    var maxBytes: Int
}

/// A pooled connection: its channel and the handler that runs its exchanges (touched only on the
/// channel's event loop).
struct UpstreamConnection: @unchecked Sendable {
    let channel: any Channel
    let handler: UpstreamHandler
    var fresh: Bool

    /// Starts an exchange; call on the channel's event loop.
    func start(_ exchange: UpstreamExchange) -> EventLoopFuture<UpstreamResponse> {
        let promise = channel.eventLoop.makePromise(of: UpstreamResponse.self)
        handler.start(exchange, reused: !fresh, promise: promise)
        return promise.futureResult
    }
}

/// Runs one exchange at a time on a connection: writes the request's bytes and reads the answer with its
/// own ``ResponseDecoder``. Lives on its channel's event loop; `@unchecked Sendable` only so that the pool
/// and the stream's delegate can hold it, and they call it on that loop.
final class UpstreamHandler: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    typealias Producer = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, StreamDelegate
    >

    private enum State {
        case idle
        case waitingHead
        case collecting
        case streaming(Producer.Source)
        case closed
    }

    private let pool: UpstreamPool
    private var context: ChannelHandlerContext?
    private var decoder = ResponseDecoder()
    private var unread = UnreadBytes()
    /// The parts one call of the decoder read, handled once it has returned (handling one can start the
    /// next exchange on this connection, which tells the decoder of its request).
    private var parts: [ResponsePart] = []
    /// The connection has ended, or an answer could not be parsed: nothing more is read.
    private var inactive = false
    private var state = State.idle
    /// Counts exchanges, so that a late call from a finished exchange's stream is told apart.
    private var generation = 0
    private var exchange: UpstreamExchange?
    private var promise: EventLoopPromise<UpstreamResponse>?
    private var reused = false
    private var receivedAny = false
    private var keepAlive = true
    private var status = 0
    private var contentType: String?
    private var cacheControl: String?
    private var buffer = ByteBuffer()
    private var timer: Scheduled<Void>?
    /// When `timer` fires; it is left running from one exchange to the next (see ``arm(at:)``).
    private var timerDue = NIODeadline.distantFuture
    private var deadline = NIODeadline.now()
    private var lastRead = NIODeadline.now()
    /// Stream back-pressure: the consumer is behind, so reads wait until it asks for more.
    private var paused = false
    private var pendingRead = false

    fileprivate init(pool: UpstreamPool) { self.pool = pool }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func start(_ exchange: UpstreamExchange, reused: Bool, promise: EventLoopPromise<UpstreamResponse>) {
        guard let context, case .idle = state else {
            if reused { pool.retryFresh(exchange, promise: promise) } else { promise.fail(UpstreamError.unreachable) }
            return
        }
        generation &+= 1
        self.exchange = exchange
        self.promise = promise
        self.reused = reused
        receivedAny = false
        keepAlive = true
        status = 0
        contentType = nil
        cacheControl = nil
        buffer.clear()
        paused = false
        pendingRead = false
        state = .waitingHead
        let now = NIODeadline.now()
        lastRead = now
        deadline = now + exchange.timeout
        arm(at: deadline)
        decoder.expectAnswer(to: exchange.method)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(exchange.bytes)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !inactive else { return }
        var buffer = unread.joined(with: unwrapInboundIn(data))
        if decode(&buffer, context: context), !inactive { unread.keep(buffer) }
    }

    /// Decodes what `buffer` holds, handling each part; false when the answer could not be parsed (the
    /// exchange has failed and the connection is closing).
    private func decode(_ buffer: inout ByteBuffer, context: ChannelHandlerContext) -> Bool {
        var parts: [ResponsePart] = []
        swap(&parts, &self.parts)
        defer {
            parts.removeAll(keepingCapacity: true)
            self.parts = parts
        }
        while buffer.readableBytes > 0, !inactive {
            let next: DecodingState
            do {
                next = try decoder.decode(buffer: &buffer) { parts.append($0) }
            } catch {
                handle(parts, context: context)
                inactive = true
                errorCaught(context: context, error: error)
                return false
            }
            handle(parts, context: context)
            parts.removeAll(keepingCapacity: true)
            if next == .needMoreData { break }
        }
        return true
    }

    private func handle(_ parts: [ResponsePart], context: ChannelHandlerContext) {
        for part in parts where !inactive { handle(part, context: context) }
    }

    private func handle(_ part: ResponsePart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            guard case .waitingHead = state, let exchange else { return }
            receivedAny = true
            status = head.status
            keepAlive = head.keepAlive
            contentType = head.contentType
            cacheControl = head.cacheControl
            if exchange.stream {
                let generation = generation
                let sequence = Producer.makeSequence(
                    backPressureStrategy: .init(lowWatermark: 2, highWatermark: 16), finishOnDeinit: false,
                    delegate: StreamDelegate(handler: self, loop: context.eventLoop, generation: generation))
                state = .streaming(sequence.source)
                // From here on the timeout is one without a byte, not a deadline for the whole stream.
                lastRead = .now()
                arm(at: lastRead + exchange.timeout)
                let response = UpstreamResponse(
                    status: status, contentType: contentType, cacheControl: cacheControl,
                    body: .stream(sequence.sequence))
                promise.take()?.succeed(response)
            } else {
                state = .collecting
            }
        case .body(var chunk):
            receivedAny = true
            lastRead = .now()
            switch state {
            case .collecting:
                guard buffer.readableBytes + chunk.readableBytes <= exchange?.maxBytes ?? .max else {
                    fail(UpstreamError.tooLarge)
                    return
                }
                buffer.writeBuffer(&chunk)
            case .streaming(let source):
                switch source.yield(chunk) {
                case .produceMore: break
                case .stopProducing: paused = true
                case .dropped: fail(UpstreamError.unreachable)  // the consumer is gone
                }
            default:
                break
            }
        case .end:
            switch state {
            case .collecting:
                let response = UpstreamResponse(
                    status: status, contentType: contentType, cacheControl: cacheControl, body: .whole(buffer))
                buffer = ByteBuffer()
                finishExchange()
                promise.take()?.succeed(response)
            case .streaming(let source):
                finishExchange()
                source.finish()
            default:
                break
            }
        }
    }

    /// The answer ended cleanly: back to the pool, or closed if the upstream asked.
    private func finishExchange() {
        // The timer stays: the next exchange's deadline is later, and it checks again when it fires.
        exchange = nil
        paused = false
        state = .idle
        if keepAlive, let context {
            pool.release(UpstreamConnection(channel: context.channel, handler: self, fresh: false))
        } else {
            state = .closed
            context?.close(promise: nil)
        }
    }

    private func fail(_ error: UpstreamError) {
        cancelTimer()
        switch state {
        case .waitingHead where error == .staleConnection:
            if let promise = promise.take(), let exchange { pool.retryFresh(exchange, promise: promise) }
        case .waitingHead, .collecting:
            promise.take()?.fail(error)
        case .streaming(let source):
            source.finish(error)
        case .idle, .closed:
            break
        }
        exchange = nil
        state = .closed
        context?.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The end of the connection ends an answer delimited by it: what was read is decoded first.
        if !inactive {
            var buffer = unread.drop() ?? ByteBuffer()
            if decode(&buffer, context: context) {
                var parts: [ResponsePart] = []
                decoder.closed { parts.append($0) }
                handle(parts, context: context)
            }
        }
        inactive = true
        switch state {
        case .waitingHead where reused && !receivedAny:
            fail(UpstreamError.staleConnection)
        case .waitingHead, .collecting, .streaming:
            fail(UpstreamError.unreachable)
        case .idle, .closed:
            state = .closed
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(reused && !receivedAny ? UpstreamError.staleConnection : UpstreamError.unreachable)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        cancelTimer()
    }

    // MARK: Back-pressure

    func read(context: ChannelHandlerContext) {
        if paused {
            pendingRead = true
        } else {
            context.read()
        }
    }

    fileprivate func produceMore(generation: Int) {
        guard generation == self.generation, paused else { return }
        paused = false
        if pendingRead, let context {
            pendingRead = false
            context.read()
        }
    }

    /// The consumer stopped: a stream it left before its end cannot be reused.
    fileprivate func consumerGone(generation: Int) {
        guard generation == self.generation, case .streaming = state else { return }
        fail(UpstreamError.unreachable)
    }

    // MARK: Timeouts

    /// Makes sure the timer fires by `when`. A timer already due by then is kept rather than cancelled and
    /// made again: an exchange's deadline is checked when the timer fires, so a timer left from the exchange
    /// before (due earlier) fires, finds the new deadline ahead and is set for it. That spares each exchange a
    /// scheduled task of its own, made and cancelled.
    private func arm(at when: NIODeadline) {
        if timer != nil, timerDue <= when { return }
        schedule(at: when)
    }

    private func schedule(at when: NIODeadline) {
        timer?.cancel()
        guard let loop = context?.eventLoop else { return }
        timerDue = when
        timer = loop.scheduleTask(deadline: when) { [self] in timerFired() }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    private func timerFired() {
        timer = nil
        guard let exchange else { return }
        switch state {
        case .waitingHead, .collecting:
            if deadline > .now() { schedule(at: deadline) } else { fail(UpstreamError.timeout) }
        case .streaming:
            let due = lastRead + exchange.timeout
            if paused || due > .now() { schedule(at: paused ? .now() + exchange.timeout : due) } else { fail(UpstreamError.timeout) }
        case .idle, .closed:
            break
        }
    }

    struct StreamDelegate: NIOAsyncSequenceProducerDelegate {
        let handler: UpstreamHandler
        let loop: any EventLoop
        let generation: Int

        func produceMore() {
            loop.execute { [handler, generation] in handler.produceMore(generation: generation) }
        }

        func didTerminate() {
            loop.execute { [handler, generation] in handler.consumerGone(generation: generation) }
        }
    }
}

extension Optional {
    /// The value, leaving nil behind.
    mutating func take() -> Wrapped? {
        defer { self = nil }
        return self
    }
}

extension String {
    fileprivate func replacingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
