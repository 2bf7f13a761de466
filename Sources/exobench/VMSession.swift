// One `exobench vm` measurement, on the pinned measuring thread: builds the ways over the
// region, then runs every benchmark on every way once per round, rotating the ways' order.

import ExOS
import ExoPlatform
import Glibc

/// One way's measurements: per benchmark, the µs per operation of each round.
struct VMWayResult {
    var key: String
    var summary: String
    var cells: [VMBenchmark: VMCell] = [:]
}

struct VMCell {
    var microseconds = Samples(name: "", unit: "us/op")
    var operations = 0
    var faults = 0
    var handlerCPUs: Set<Int> = []
}

struct VMResults {
    /// The table's columns: the kernel's way first.
    var ways: [VMWayResult]
    /// Columns that explain the others (handler on another CPU, one mapping instead of one per frame).
    var supporting: [VMWayResult]
    var nullSyscall = Samples(name: "getppid", unit: "us")
    var measuringCPU: Int
}

struct VMSession {
    let region: FrameRegion
    let settings: VMSettings

    func runAll() throws -> VMResults {
        let measuringCPU = CPUAffinity.currentCPU
        guard measuringCPU == settings.cpu else {
            throw BenchError("the measuring thread runs on CPU \(measuringCPU), not the \(settings.cpu) it was pinned to")
        }
        let cpu = settings.cpu
        var ways: [any VMWay] = [
            KernelWay(key: "kernel", summary: "mprotect per call, SIGSEGV handler (mprotect in it), dirty: PAGEMAP_SCAN of the page (WP_ASYNC tracking)", pages: region.pages),
            ExOSWay(key: "exos-uffd", summary: "ExOS PageManager: userfaultfd write protection per run, handler thread on CPU \(cpu) (same), dirty from ExOS's record", region: region, mechanism: .userfault(handlerCPU: cpu)),
            ExOSWay(key: "exos-sigbus", summary: "ExOS PageManager: userfaultfd write protection per run, fault as SIGBUS on the faulting thread, dirty from ExOS's record", region: region, mechanism: .userfaultSignal),
            ExOSWay(key: "exos-mprotect", summary: "ExOS PageManager: mprotect per run, SIGSEGV on the faulting thread, protection and dirty from ExOS's record", region: region, mechanism: .mprotect),
            WriteTrackingWay(pages: region.pages),
        ]
        var mainCount = ways.count
        if let other = settings.otherCPU {
            ways.append(ExOSWay(key: "exos-uffd-cross", summary: "as exos-uffd, handler thread on CPU \(other) (the other vCPU)", region: region, mechanism: .userfault(handlerCPU: other)))
        }
        // The kernel's way on one mapping of one memfd (not daemon frames): what one mapping
        // per frame costs the range calls.
        let single = try AddressReservation(pages: region.pageCount)
        let memfd = try FrameMemory.createSealed(name: "exobench-vm", size: region.pageCount * region.pageSize)
        try single.mapShared(memfd.raw, atPage: 0, pages: region.pageCount, writable: true)
        memfd.close()
        ways.append(KernelWay(key: "kernel-1map", summary: "as kernel, on one mapping of one \(region.pageCount)-page memfd instead of one mapping per frame", pages: single))

        if !settings.ways.isEmpty {
            let known = Set(ways.map(\.key))
            guard settings.ways.isSubset(of: known) else {
                throw BenchError("unknown way \(settings.ways.subtracting(known).sorted()): one of \(ways.map(\.key).joined(separator: ", "))")
            }
            let mainKeys = Set(ways[..<mainCount].map(\.key))
            ways = ways.filter { settings.ways.contains($0.key) }
            mainCount = ways.filter { mainKeys.contains($0.key) }.count
        }
        var results = ways.map { VMWayResult(key: $0.key, summary: $0.summary) }
        var runner = VMBenchmarkRunner(iterations: settings.iterations, batches: settings.batches, random: SplitMix(seed: settings.seed))
        var nullSyscall = Samples(name: "getppid", unit: "us")
        for round in 0..<settings.rounds {
            nullSyscall.values.append(Self.nullSyscallMicroseconds())
            for benchmark in settings.benchmarks {
                for offset in 0..<ways.count {
                    let index = (offset + round) % ways.count
                    let way = ways[index]
                    guard way.supported.contains(benchmark) else { continue }
                    let run = try runner.run(benchmark, on: way)
                    var cell = results[index].cells[benchmark] ?? VMCell()
                    cell.microseconds.values.append(run.microsecondsPerOperation)
                    cell.operations += run.operations
                    cell.faults += run.faults
                    if run.handlerCPU >= 0 { cell.handlerCPUs.insert(run.handlerCPU) }
                    results[index].cells[benchmark] = cell
                }
            }
        }
        return VMResults(
            ways: Array(results[..<mainCount]), supporting: Array(results[mainCount...]), nullSyscall: nullSyscall,
            measuringCPU: measuringCPU)
    }

    /// The cost of entering and leaving the kernel: getppid (never cached by glibc), µs per call.
    static func nullSyscallMicroseconds() -> Double {
        let calls = 2000
        let start = MonotonicClock.nanoseconds()
        for _ in 0..<calls { _ = getppid() }
        return Double(MonotonicClock.nanoseconds() - start) / 1000 / Double(calls)
    }
}
