import NIOCore
import NIOPosix

// Usage: nio-relay LISTEN_PORT UPSTREAM_PORT [EVENT_LOOPS]   (both on 127.0.0.1; loops: one per core)

/// One side of a relayed connection pair: what it reads is written to its partner, flushed when the read
/// burst ends, and either side closing closes the other (SwiftNIO's own example proxy, in brief).
final class GlueHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    var partner: GlueHandler?
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) { partner?.context?.write(data, promise: nil) }

    func channelReadComplete(context: ChannelHandlerContext) { partner?.context?.flush() }

    func channelInactive(context: ChannelHandlerContext) { partner?.context?.close(promise: nil) }
}

let arguments = CommandLine.arguments
guard arguments.count >= 3, let listenPort = Int(arguments[1]), let upstreamPort = Int(arguments[2]) else {
    print("usage: nio-relay LISTEN_PORT UPSTREAM_PORT [EVENT_LOOPS]")
    exit(2)
}
let loops = arguments.count > 3 ? Int(arguments[3]) ?? System.coreCount : System.coreCount
let group = MultiThreadedEventLoopGroup(numberOfThreads: loops)
let server = try ServerBootstrap(group: group)
    .serverChannelOption(.backlog, value: 256)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
    .childChannelInitializer { client in
        // The upstream connection is made on the client's own loop, and the client is read only once it is up.
        // Both closures run on the client's loop (the upstream channel is made on it).
        let clientSide = NIOLoopBound(GlueHandler(), eventLoop: client.eventLoop)
        return ClientBootstrap(group: client.eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { upstream in
                upstream.eventLoop.makeCompletedFuture {
                    let upstreamSide = GlueHandler()
                    upstreamSide.partner = clientSide.value
                    clientSide.value.partner = upstreamSide
                    try upstream.pipeline.syncOperations.addHandler(upstreamSide)
                }
            }
            .connect(host: "127.0.0.1", port: upstreamPort)
            .flatMapThrowing { _ in try client.pipeline.syncOperations.addHandler(clientSide.value) }
    }
    .bind(host: "127.0.0.1", port: listenPort).wait()
print("nio-relay: 127.0.0.1:\(listenPort) -> 127.0.0.1:\(upstreamPort), \(loops) event loops")
try server.closeFuture.wait()
