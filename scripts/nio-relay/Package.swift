// swift-tools-version:6.1
//
// nio-relay: a reference point for scripts/bench-gateway.sh, not part of hydraguard. A TCP relay on SwiftNIO
// that copies bytes between each client connection and an upstream connection of its own, on the same
// event loop, without reading them: the least any SwiftNIO proxy does per request (two reads and two
// writes). Measured beside nginx and the gateway, it separates what the runtime and the machine cost
// from what the gateway's own HTTP handling and checks cost.
//
//   swift build -c release --package-path scripts/nio-relay
//   RELAY_BIN=scripts/nio-relay/.build/release/nio-relay scripts/bench-gateway.sh
import PackageDescription

let package = Package(
    name: "nio-relay",
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0")
    ],
    targets: [
        .executableTarget(
            name: "nio-relay",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        )
    ]
)
