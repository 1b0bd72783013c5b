public import Hummingbird

/// The request context of the gateway and admin servers: Hummingbird's, plus the socket's peer address.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer address of the TCP connection (nil in router-only tests).
    public let socketAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        socketAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Bodies are read by the handlers with their own limit.
    public var maxUploadSize: Int { Int.max }
}
