// `exobench vm`: Table 10 of the exokernel paper on Linux. Appel & Li's seven virtual-memory
// benchmarks on frames held from exokerneld, the kernel's way against the library OS's ways,
// alternating in one run on one pinned thread.

import ArgumentParser
import ExOS
import ExoPlatform
import ExoWire
import Foundation

struct VMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vm",
        abstract: "Appel-Li VM benchmarks (Table 10): kernel way vs library-OS ways on daemon frames.",
        discussion: """
            Attaches to a running exokerneld as --tenant, allocates --pages frames and maps them \
            side by side into one range (one mapping per frame: each is its own memfd). Every \
            round runs each benchmark once on each way, the ways' order rotating per round; per \
            cell: the median and p10-p90 over rounds, in microseconds per operation. A run whose \
            fault count differs from the operations it made, or whose dirty answers are wrong, \
            stops the benchmark. The measuring thread and the userfaultfd handler thread are \
            pinned (--cpu); one extra column puts the handler on another CPU. \
            scripts/bench-vm.sh starts a private daemon and runs this.
            """)

    @Option(name: .long, help: "Control socket path (default: $EXOKERNEL_SOCKET or \(SocketPath.defaultPath)).")
    var socket: String?

    @Option(name: .long, help: "Tenant to attach as (needs --pages of quota).")
    var tenant = "alice"

    @Option(name: .long, help: "Frames in the region (at least 101: appel2 and prot100 use 100).")
    var pages = 128

    @Option(name: .long, help: "Rounds (each runs every benchmark on every way once).")
    var rounds = 11

    @Option(name: .long, help: "Operations per run for dirty, prot1, trap, appel1.")
    var iterations = 512

    @Option(name: .long, help: "100-page calls per run for prot100, unprot100, appel2.")
    var batches = 20

    @Option(name: .long, help: "CPU the measuring thread and the same-CPU handler thread are pinned to.")
    var cpu = 0

    @Option(name: .long, help: "Seed of the random pages (appel1, appel2, dirty).")
    var seed: UInt64 = 12

    @Option(name: .long, parsing: .upToNextOption, help: "Run only these ways (keys as in the table; default: all).")
    var ways: [String] = []

    @Option(name: .long, parsing: .upToNextOption, help: "Run only these benchmarks (default: all seven).")
    var benchmarks: [String] = []

    @Flag(name: .long, help: "Tiny counts for tests: 2 rounds, 16 operations, 2 batches.")
    var smoke = false

    @Flag(name: .long, help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard pages > VMBenchmarkRunner.hundred, pages <= 4 * WireLimits.maxBatch else {
            throw ValidationError("--pages must be in \(VMBenchmarkRunner.hundred + 1)...\(4 * WireLimits.maxBatch)")
        }
        guard rounds > 0, iterations > 0, batches > 0 else { throw ValidationError("--rounds, --iterations, --batches must be positive") }
        guard cpu >= 0, cpu < CPUAffinity.onlineCount else { throw ValidationError("--cpu must be in 0..<\(CPUAffinity.onlineCount)") }
        for name in benchmarks where VMBenchmark(rawValue: name) == nil {
            throw ValidationError("unknown benchmark \(name): one of \(VMBenchmark.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let settings = VMSettings(
            rounds: smoke ? 2 : rounds, iterations: smoke ? 16 : iterations, batches: smoke ? 2 : batches, cpu: cpu,
            otherCPU: CPUAffinity.onlineCount > 1 ? (cpu + 1) % CPUAffinity.onlineCount : nil, seed: seed,
            ways: Set(ways), benchmarks: benchmarks.isEmpty ? VMBenchmark.allCases : VMBenchmark.allCases.filter { benchmarks.contains($0.rawValue) })
        let loadBefore = LoadAverage.read()
        let region: FrameRegion
        let session: ExoSession
        do throws(ExOSError) {
            session = try await ExOS.attach(tenant: tenant, socketPath: socket)
            let holdings = try await allocate(pages, session: session)
            region = try await session.mapContiguous(holdings.map(\.frame))
        } catch {
            Console.error("exobench vm: \(error)")
            throw ExitCode(ToolExitStatus(error).rawValue)
        }
        defer { session.close() }
        let outcome = VMOutcome()
        let thread = try PlatformThread(cpu: settings.cpu) {
            outcome.result = Result { try VMSession(region: region, settings: settings).runAll() }
        }
        thread.join()
        do {
            guard let result = outcome.result else { throw BenchError("the measuring thread returned nothing") }
            let report = VMReport(
                results: try result.get(), settings: settings, tenant: tenant, frameSize: Int(session.info.frameSize),
                pages: pages, loadBefore: loadBefore, loadAfter: LoadAverage.read())
            Console.out(json ? report.json() : report.table())
        } catch {
            Console.error("exobench vm: \(error)")
            throw ExitCode(ToolExitStatus.refused.rawValue)
        }
    }

    private func allocate(_ count: Int, session: ExoSession) async throws(ExOSError) -> [HoldingInfo] {
        var holdings: [HoldingInfo] = []
        while holdings.count < count {
            holdings += try await session.allocateAny(count: min(WireLimits.maxBatch, count - holdings.count))
        }
        return holdings
    }
}

/// The counts and CPUs of one run.
struct VMSettings: Sendable {
    var rounds: Int
    var iterations: Int
    var batches: Int
    var cpu: Int
    /// The CPU of the cross-CPU column's handler thread; nil on a one-CPU machine.
    var otherCPU: Int?
    var seed: UInt64
    /// Way keys to run; empty: all.
    var ways: Set<String> = []
    var benchmarks: [VMBenchmark] = VMBenchmark.allCases
}

/// What the measuring thread hands back. Written by that thread only, read after `join()`.
final class VMOutcome: @unchecked Sendable {
    var result: Result<VMResults, any Error>?
}
