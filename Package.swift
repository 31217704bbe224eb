// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "tictactoe",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tictactoe", targets: ["tictactoe"]),
        .executable(name: "tictactoe-variant", targets: ["tictactoe-variant"]),
        .library(name: "Game", targets: ["Game"]),
        .library(name: "Config", targets: ["Config"]),
        .library(name: "Server", targets: ["Server"]),
    ],
    traits: [
        .trait(
            name: "PostgreSQL",
            description: "The `postgres` state backend. postgres-nio imports the whole of Foundation, which links ICU: about 55 MB of binary."
        ),
        .default(enabledTraits: ["PostgreSQL"]),
    ],
    dependencies: [
        // No default traits: `FullFoundation` links ICU (about 40 MB in the image) and
        // `ConfigurationSupport` is unused because settings come from our own YAML layer.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.9.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        /// libyaml from the system (`libyaml-dev` on Debian, `libyaml` on Homebrew).
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]
        ),
        /// A node tree with source positions, built on libyaml's event parser.
        .target(name: "YAML", dependencies: ["CYAML"], swiftSettings: swiftSettings),
        /// The version the binary reports, from `version.generated.h` (scripts/write-version.sh).
        .target(name: "CVersion"),
        /// JSON string literals, shared by the server's answers and the deployment renderer.
        .target(name: "JSONText", swiftSettings: swiftSettings),
        /// A lock around a value, for macOS 14 as well (the standard library's `Mutex` needs 15).
        .target(name: "Locking", dependencies: [.product(name: "NIOConcurrencyHelpers", package: "swift-nio")], swiftSettings: swiftSettings),
        /// The names and dimensions of the metrics the server writes, which the stack's dashboard reads.
        .target(name: "MetricCatalog", swiftSettings: swiftSettings),
        /// Rules, boards and the computer opponent. No I/O.
        .target(name: "Game", dependencies: ["Locking"], swiftSettings: swiftSettings),
        /// Typed, validated settings decoded from YAML plus environment overrides. No server.
        .target(name: "Config", dependencies: ["YAML", "Game"], swiftSettings: swiftSettings),
        /// ECS task definitions and CloudFormation templates rendered from variants. No AWS calls.
        .target(name: "Deploy", dependencies: ["Config", "JSONText", "MetricCatalog"], swiftSettings: swiftSettings),
        /// The Hummingbird application: routes, game store, page assets.
        .target(
            name: "Server",
            dependencies: [
                "Game", "Config", "JSONText", "Locking", "CVersion", "MetricCatalog",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [
                .embedInCode("Assets/index.html"),
                .embedInCode("Assets/app.js"),
                .embedInCode("Assets/style.css"),
                .embedInCode("Assets/favicon.svg"),
            ],
            swiftSettings: swiftSettings
        ),
        /// Games in PostgreSQL, shared by every server process; only in builds with the
        /// `PostgreSQL` trait, which `tictactoe serve` then offers as `state.backend: postgres`.
        .target(
            name: "PostgresStore",
            dependencies: [
                "Server", "Config", "Game", "Locking",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        /// `tictactoe variant`: reads variant files for the Makefile and the Dockerfiles.
        .target(
            name: "VariantCommand",
            dependencies: ["Config", "Deploy", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        /// The variant reader alone, without the server: image builds compile it in seconds on
        /// the build platform to read a variant before cross-compiling `tictactoe`.
        .executableTarget(name: "tictactoe-variant", dependencies: ["VariantCommand"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "tictactoe",
            dependencies: [
                "Game", "Config", "Server", "Deploy", "VariantCommand",
                .target(name: "PostgresStore", condition: .when(traits: ["PostgreSQL"])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                // `tictactoe smoke`: one request at a time, over TLS too.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "GameTests", dependencies: ["Game"], swiftSettings: swiftSettings),
        .testTarget(name: "ConfigTests", dependencies: ["Config", "YAML"], swiftSettings: swiftSettings),
        .testTarget(name: "VariantCommandTests", dependencies: ["VariantCommand", "Config", "Deploy"], swiftSettings: swiftSettings),
        .testTarget(name: "DeployTests", dependencies: ["Deploy", "Config"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "Config", "Game", "Locking",
                .target(name: "PostgresStore", condition: .when(traits: ["PostgreSQL"])),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
