// swift-tools-version:6.1
// exokernel: a daemon that securely multiplexes a NIC and a pool of memory frames among
// mutually distrustful library-OS applications. Module layout: see docs/ and ARCHITECTURE.
import PackageDescription

// Swift 6 language mode (strict concurrency) is the default for tools 6.x; this adds
// explicit `any` so existential costs stay visible.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "exokernel",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "exokerneld", targets: ["exokerneld"]),
        .executable(name: "exoctl", targets: ["exoctl"]),
        .executable(name: "exobench", targets: ["exobench"]),
        .executable(name: "frames-demo", targets: ["frames-demo"]),
        .library(name: "ExOS", targets: ["ExOS"]),
        // The pure modules, exported for the nested Benchmarks/ package.
        .library(name: "ExoPacket", targets: ["ExoPacket"]),
        .library(name: "ExoImpairment", targets: ["ExoImpairment"]),
        .library(name: "ExoWire", targets: ["ExoWire"]),
        .library(name: "ExoCore", targets: ["ExoCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // The metrics endpoint's registry and text format (fed at scrape time: docs/METRICS.md).
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Only for `swift package generate-documentation` (scripts/check-docs.sh); no target
        // depends on it, so builds and tests never compile it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Pure: the one version string every binary prints with --version.
        .target(name: "ExoVersion", swiftSettings: strict),
        // Pure: the wire layer (a view and a representation per header, checksums, offload);
        // the one strict packet parser that the daemon and the library OS share.
        .target(name: "ExoPacket", swiftSettings: strict),
        // Pure: the seeded impairment model (loss, bursts, duplication, reordering, delay,
        // corruption, rate) that ExOS's simulated network and the daemon's decorator share.
        .target(name: "ExoImpairment", swiftSettings: strict),
        // Pure: HTTP/1.1 request parsing and response planning for clients/httpd (no I/O).
        .target(name: "HTTPCore", swiftSettings: strict),
        // Pure: iperf3's server protocol (cookie, states, JSON parameters and results, the
        // session's state machine) for clients/exo-iperf (no I/O; JSON from FoundationEssentials).
        .target(name: "IperfCore", swiftSettings: strict),
        // Pure: the control protocol and the ring layout.
        .target(name: "ExoWire", dependencies: ["ExoPacket"], swiftSettings: strict),
        // Pure: the arbiter's bookkeeping. No syscalls.
        .target(
            name: "ExoCore",
            dependencies: ["ExoPacket", "ExoWire", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        // The only hand-written C: GNU-only and macro-only Linux calls.
        .target(name: "CExoShims"),
        // libnl-3 and libnl-route-3 (link and address configuration over rtnetlink).
        .systemLibrary(
            name: "CNetlink", pkgConfig: "libnl-route-3.0", providers: [.apt(["libnl-3-dev", "libnl-route-3-dev"])]),
        // Typed wrappers over Linux syscalls.
        .target(name: "ExoPlatform", dependencies: ["CExoShims", "CNetlink"], swiftSettings: strict),
        // The daemon: event loop, sessions, configuration, frame backing.
        .target(
            name: "ExoDaemon",
            dependencies: [
                "ExoVersion", "ExoPacket", "ExoWire", "ExoCore", "ExoPlatform", "ExoImpairment", "HTTPCore",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "exokerneld",
            dependencies: [
                "ExoVersion", "ExoDaemon", "ExoPlatform", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // The control client: the control channel with typed calls, attaching, the operator
        // session, the capture client and the tools' exit statuses (exoctl and ExOS share it).
        .target(name: "ExoClient", dependencies: ["ExoWire", "ExoPlatform"], swiftSettings: strict),
        // The library OS.
        .target(
            name: "ExOS", dependencies: ["ExoPacket", "ExoWire", "ExoClient", "ExoPlatform", "ExoImpairment"],
            swiftSettings: strict),
        .executableTarget(
            name: "exoctl",
            dependencies: ["ExoVersion", "ExoPacket", "ExoWire", "ExoPlatform", "ExoClient", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        .executableTarget(
            name: "exobench",
            dependencies: [
                "ExoVersion", "ExOS", "ExoClient", "ExoPlatform", "ExoPacket", "ExoWire", "ExoCore", "CExoShims",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "frames-demo", dependencies: ["ExoVersion", "ExOS"], path: "clients/frames-demo", swiftSettings: strict),
        .executableTarget(
            name: "udp-echo", dependencies: ["ExoVersion", "ExOS"], path: "clients/udp-echo", swiftSettings: strict),
        .executableTarget(
            name: "tcp-echo",
            dependencies: ["ExoVersion", "ExOS", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "clients/tcp-echo", swiftSettings: strict),
        .executableTarget(
            name: "exoping",
            dependencies: ["ExoVersion", "ExOS", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "clients/exoping", swiftSettings: strict),
        .executableTarget(
            name: "exo-nc",
            dependencies: ["ExoVersion", "ExOS", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "clients/exo-nc", swiftSettings: strict),
        .executableTarget(
            name: "httpd",
            dependencies: ["ExoVersion", "ExOS", "HTTPCore", "ExoPlatform", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "clients/httpd", swiftSettings: strict),
        .executableTarget(
            name: "exo-iperf",
            dependencies: ["ExoVersion", "ExOS", "IperfCore", "ExoPlatform", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "clients/exo-iperf", swiftSettings: strict),
        .executableTarget(
            name: "udp-sink", dependencies: ["ExoVersion", "ExOS", "ExoPacket", "ExoWire", "ExoPlatform"], path: "clients/udp-sink",
            swiftSettings: strict),
        .executableTarget(
            name: "udp-blast", dependencies: ["ExoVersion", "ExOS", "ExoPacket", "ExoWire", "ExoPlatform"], path: "clients/udp-blast",
            swiftSettings: strict),

        // The fuzz targets' entry points (docs/RELIABILITY.md), shared by the libFuzzer driver
        // and the corpus-replay tests.
        .target(name: "ExoFuzzing", dependencies: ["ExoPacket", "ExoWire", "ExoCore", "ExoDaemon"], swiftSettings: strict),
        // The libFuzzer driver when built by scripts/fuzz.sh (-DEXO_LIBFUZZER with the fuzzer
        // sanitizer); in a normal build, a replayer of input files through the same entry points.
        .executableTarget(
            name: "exo-fuzz", dependencies: ["ExoFuzzing", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),

        .testTarget(name: "ExoPacketTests", dependencies: ["ExoPacket"], swiftSettings: strict),
        .testTarget(name: "ExoImpairmentTests", dependencies: ["ExoImpairment"], swiftSettings: strict),
        .testTarget(name: "HTTPCoreTests", dependencies: ["HTTPCore"], swiftSettings: strict),
        .testTarget(name: "IperfCoreTests", dependencies: ["IperfCore"], swiftSettings: strict),
        .testTarget(name: "ExoWireTests", dependencies: ["ExoPacket", "ExoWire"], swiftSettings: strict),
        .testTarget(name: "ExoCoreTests", dependencies: ["ExoPacket", "ExoCore"], swiftSettings: strict),
        .testTarget(name: "ExoPlatformTests", dependencies: ["ExoPlatform"], swiftSettings: strict),
        .testTarget(name: "ExoDaemonTests", dependencies: ["ExoPacket", "ExoCore", "ExoWire", "ExoPlatform", "ExoDaemon", "ExoImpairment", .product(name: "Logging", package: "swift-log"), .product(name: "Crypto", package: "swift-crypto")], swiftSettings: strict),
        // A scriptable tenant the integration tests drive (built as an executable beside the others).
        .executableTarget(
            name: "exo-testclient", dependencies: ["ExoPacket", "ExoWire", "ExoPlatform"], path: "Tests/TestClient",
            swiftSettings: strict),
        .testTarget(name: "FuzzCorpusTests", dependencies: ["ExoFuzzing"], swiftSettings: strict),
        .testTarget(name: "ExoClientTests", dependencies: ["ExoWire", "ExoPlatform", "ExoClient"], swiftSettings: strict),
        .testTarget(name: "ExOSTests", dependencies: ["ExoPacket", "ExoImpairment", "ExoClient", "ExOS"], swiftSettings: strict),
        .testTarget(
            name: "IntegrationTests", dependencies: ["ExoVersion", "ExoPacket", "ExoWire", "ExoPlatform", "ExoClient", "ExOS"], swiftSettings: strict),
    ]
)
