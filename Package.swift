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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
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
        .executableTarget(
            name: "HydraguardCLI",
            dependencies: [
                "HydraguardLog",
                "HydraguardIntel",
                "HydraguardSimulator",
                "HydraguardDetection",
                "HydraguardEval",
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
            name: "HydraguardEvalTests",
            dependencies: ["HydraguardEval", "HydraguardLog"],
            swiftSettings: strict
        ),
    ]
)
