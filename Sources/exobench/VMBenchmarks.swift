// Appel & Li's seven virtual-memory benchmarks as loops over a VMWay: what each times, what
// it sets up untimed, and the faults it must cause (a run whose fault count differs from the
// operations it made, or whose dirty answers are wrong, is an error, not a number).

import ExoPlatform

enum VMBenchmark: String, CaseIterable, Comparable {
    case dirty, prot1, prot100, unprot100, trap, appel1, appel2

    static func < (a: VMBenchmark, b: VMBenchmark) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// What one operation is, as the table's legend says it.
    var operation: String {
        switch self {
        case .dirty: "ask whether one page is dirty (a sweep asks about every page of the region)"
        case .prot1: "write-protect one page"
        case .prot100: "write-protect 100 pages in one call"
        case .unprot100: "unprotect 100 pages in one call"
        case .trap: "a write to a protected page, its handler unprotecting it, and the write completing"
        case .appel1: "a write to a random protected page; the handler protects the page of the previous fault and unprotects this one"
        case .appel2: "per page: protect 100 pages in one call, then write each in random order, the handler unprotecting it"
        }
    }
}

/// One run of one benchmark on one way.
struct VMRun {
    var microsecondsPerOperation: Double
    var operations: Int
    var faults: Int
    var handlerCPU: Int
}

struct VMBenchmarkRunner {
    /// Operations per run for dirty, prot1, trap and appel1.
    var iterations: Int
    /// 100-page calls per run for prot100, unprot100 and appel2.
    var batches: Int
    var random: SplitMix

    static let hundred = 100

    mutating func run(_ benchmark: VMBenchmark, on way: any VMWay) throws -> VMRun {
        let all = 0..<way.pageCount
        try way.arm(policy: benchmark == .appel1 ? .protectPreviousThenUnprotect : .unprotectFaulting,
            tracksDirty: benchmark == .dirty)
        defer { way.disarm() }
        // Every page present and written before anything is timed.
        try way.unprotect(all)
        for page in all { way.write(page: page) }
        let faultsBefore = way.faults
        let (nanoseconds, operations, expectedFaults) = try measure(benchmark, on: way)
        let faults = way.faults - faultsBefore
        guard faults == expectedFaults else {
            throw BenchError("\(way.key) \(benchmark): \(faults) faults for \(expectedFaults) expected")
        }
        return VMRun(
            microsecondsPerOperation: Double(nanoseconds) / 1000 / Double(operations), operations: operations,
            faults: faults, handlerCPU: way.handlerCPU)
    }

    /// Times `benchmark`; returns the nanoseconds timed, the operations they cover, and the
    /// faults the work must have caused.
    private mutating func measure(_ benchmark: VMBenchmark, on way: any VMWay) throws -> (UInt64, Int, Int) {
        let count = way.pageCount
        let hundred = Self.hundred
        var elapsed: UInt64 = 0
        switch benchmark {
        case .dirty:
            // Clean everything, write a random half (untimed), then ask about every page.
            let before = way.faults
            try way.clean(0..<count)
            var written = [Bool](repeating: false, count: count)
            for page in 0..<count where random.next() % 2 == 0 { written[page] = true }
            for page in 0..<count where written[page] { way.write(page: page) }
            let firstWrites = way.faults - before
            let writtenCount = written.filter { $0 }.count
            // Record-keeping ways see exactly one fault per page written; the kernel's see none.
            guard firstWrites == 0 || firstWrites == writtenCount else {
                throw BenchError("\(way.key) dirty: \(firstWrites) first-write faults for \(writtenCount) pages written")
            }
            let sweeps = max(1, iterations / count)
            var answers = [Bool](repeating: false, count: count)
            for _ in 0..<sweeps {
                let start = MonotonicClock.nanoseconds()
                for page in 0..<count { answers[page] = try way.isDirty(page: page) }
                elapsed += MonotonicClock.nanoseconds() - start
                guard answers == written else {
                    let wrong = (0..<count).filter { answers[$0] != written[$0] }
                    throw BenchError("\(way.key) dirty: wrong answers for pages \(wrong)")
                }
            }
            return (elapsed, sweeps * count, firstWrites)
        case .prot1:
            var done = 0
            while done < iterations {
                let n = min(count, iterations - done)
                let start = MonotonicClock.nanoseconds()
                for page in 0..<n { try way.protect(page..<(page + 1)) }
                elapsed += MonotonicClock.nanoseconds() - start
                try way.unprotect(0..<n)
                done += n
            }
            return (elapsed, iterations, 0)
        case .prot100, .unprot100:
            for _ in 0..<batches {
                if benchmark == .unprot100 { try way.protect(0..<hundred) }
                let start = MonotonicClock.nanoseconds()
                if benchmark == .prot100 { try way.protect(0..<hundred) } else { try way.unprotect(0..<hundred) }
                elapsed += MonotonicClock.nanoseconds() - start
                if benchmark == .prot100 { try way.unprotect(0..<hundred) }
            }
            return (elapsed, batches, 0)
        case .trap:
            var done = 0
            while done < iterations {
                let n = min(count, iterations - done)
                try way.protect(0..<n)
                let start = MonotonicClock.nanoseconds()
                for page in 0..<n { way.write(page: page) }
                elapsed += MonotonicClock.nanoseconds() - start
                done += n
            }
            return (elapsed, iterations, iterations)
        case .appel1:
            // All pages protected; each write goes to a random page other than the one the
            // previous fault left writable.
            try way.protect(0..<count)
            var sequence: [Int] = []
            sequence.reserveCapacity(iterations)
            var last = -1
            while sequence.count < iterations {
                let page = Int(random.next() % UInt64(count))
                if page != last {
                    sequence.append(page)
                    last = page
                }
            }
            let start = MonotonicClock.nanoseconds()
            for page in sequence { way.write(page: page) }
            elapsed = MonotonicClock.nanoseconds() - start
            return (elapsed, iterations, iterations)
        case .appel2:
            var order = Array(0..<hundred)
            for _ in 0..<batches {
                shuffle(&order)
                let start = MonotonicClock.nanoseconds()
                try way.protect(0..<hundred)
                for page in order { way.write(page: page) }
                elapsed += MonotonicClock.nanoseconds() - start
            }
            return (elapsed, batches * hundred, batches * hundred)
        }
    }

    private mutating func shuffle(_ pages: inout [Int]) {
        for index in stride(from: pages.count - 1, to: 0, by: -1) {
            pages.swapAt(index, Int(random.next() % UInt64(index + 1)))
        }
    }
}
