// swift-tools-version:6.1
//
// hydraguard: a self-hosted defence for LLM APIs against distillation attacks.
//
// The data path, target by target:
//   HydraguardLog        the usage-log interchange format (events, accounts, labels, findings)
//   HydraguardIntel      IP intelligence: MMDB databases and CIDR range lists
//   HydraguardSimulator  labelled honest and hostile traffic
//   HydraguardDetection  signals per account -> account graph -> campaigns -> verdicts (pure, no server stack)
//   HydraguardEval       scoring findings against labels
//   HydraguardStore      the embedded store (SQLite through GRDB): accounts, keys, verdicts, usage
//   HydraguardGateway    the reverse proxy that enforces identity, tiers, limits and geofencing
//   HydraguardCLI        the `hydraguard` command
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "hydraguard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hydraguard", targets: ["HydraguardCLI"]),
        .library(name: "HydraguardLog", targets: ["HydraguardLog"]),
        .library(name: "HydraguardIntel", targets: ["HydraguardIntel"]),
        .library(name: "HydraguardSimulator", targets: ["HydraguardSimulator"]),
        .library(name: "HydraguardDetection", targets: ["HydraguardDetection"]),
        .library(name: "HydraguardEval", targets: ["HydraguardEval"]),
        .library(name: "HydraguardStore", targets: ["HydraguardStore"]),
        .library(name: "HydraguardGateway", targets: ["HydraguardGateway"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        // Server stack: used only by HydraguardStore, HydraguardGateway and the CLI.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"4.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "HydraguardLog",
            dependencies: ["CZlib"],
            swiftSettings: strict
        ),
        .target(
            name: "HydraguardIntel",
            dependencies: [],
            swiftSettings: strict
        ),
        .target(
            name: "HydraguardSimulator",
            dependencies: ["HydraguardLog", "HydraguardIntel", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(
            name: "HydraguardDetection",
            dependencies: ["HydraguardLog", "HydraguardIntel"],
            swiftSettings: strict
        ),
        .target(
            name: "HydraguardEval",
            dependencies: ["HydraguardLog"],
            swiftSettings: strict
        ),
        .target(
            name: "HydraguardStore",
            dependencies: [
                "HydraguardLog",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "HydraguardGateway",
            dependencies: [
                "HydraguardLog",
                "HydraguardIntel",
                "HydraguardStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "HydraguardCLI",
            dependencies: [
                "HydraguardLog",
                "HydraguardIntel",
                "HydraguardSimulator",
                "HydraguardDetection",
                "HydraguardEval",
                "HydraguardStore",
                "HydraguardGateway",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "HydraguardLogTests", dependencies: ["HydraguardLog"], swiftSettings: strict),
        .testTarget(name: "HydraguardIntelTests", dependencies: ["HydraguardIntel"], swiftSettings: strict),
        .testTarget(
            name: "HydraguardSimulatorTests",
            dependencies: ["HydraguardSimulator", "HydraguardLog", "HydraguardIntel"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HydraguardDetectionTests",
            dependencies: ["HydraguardDetection", "HydraguardLog", "HydraguardIntel", "HydraguardSimulator"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HydraguardStoreTests",
            dependencies: [
                "HydraguardStore", "HydraguardLog", "HydraguardDetection", "HydraguardSimulator",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HydraguardGatewayTests",
            dependencies: [
                "HydraguardGateway",
                "HydraguardStore",
                "HydraguardLog",
                "HydraguardIntel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                "HydraguardSimulator",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HydraguardEvalTests",
            dependencies: ["HydraguardEval", "HydraguardLog"],
            swiftSettings: strict
        ),
    ]
)
