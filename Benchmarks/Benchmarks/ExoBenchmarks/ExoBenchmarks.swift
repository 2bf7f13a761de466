// The benchmark target's entry: registers every microbenchmark of the pure modules with
// the metrics this project reports (wall clock, throughput, mallocs).

import Benchmark

/// Called by the runner the BenchmarkPlugin generates; registers each group in turn.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 10,
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 100_000)
    registerWireBenchmarks()
    registerArbiterBenchmarks()
    registerTokenBenchmarks()
    registerStackBenchmarks()
}
