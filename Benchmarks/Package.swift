// swift-tools-version:6.1
// Microbenchmarks of exokernel's pure modules (ExoWire codec, ExoCore arbiter and tokens, ExOS's stack),
// kept out of the root package so its build and CI stay fast. Run: swift package benchmark
import PackageDescription

let package = Package(
    name: "exokernel-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "exokernel", path: "../"),
        // Already a dependency of the root package; the arbiter's token key is a SymmetricKey.
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        // Its default traits need a package that is not mirrored; MallocInterposer alone resolves.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "ExoBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ExoWire", package: "exokernel"),
                .product(name: "ExoCore", package: "exokernel"),
                .product(name: "ExOS", package: "exokernel"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/ExoBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    ]
)
