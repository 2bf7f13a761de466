// The kernel's ways, built on ExoPlatform directly (no library-OS record): Ultrix's way on
// Linux — mprotect per call, SIGSEGV to a handler, dirty state asked of the kernel — and the
// kernel's own write tracking (userfaultfd WP_ASYNC) read in one PAGEMAP_SCAN per sweep.

import ExOS
import ExoPlatform
import Synchronization

/// mprotect + SIGSEGV; "dirty?" is one PAGEMAP_SCAN ioctl per page, on a userfaultfd
/// WP_ASYNC registration (the only write tracking this kernel offers: no soft-dirty bits).
final class KernelWay: VMWay {
    let key: String
    let summary: String
    let supported = Set(VMBenchmark.allCases)
    private let pages: AddressReservation
    private let handler: KernelFaultHandler
    private var tracking: (faults: UserFaultFD, scan: PageMapScan)?

    init(key: String, summary: String, pages: AddressReservation) {
        self.key = key
        self.summary = summary
        self.pages = pages
        handler = KernelFaultHandler(pages: pages)
    }

    var pageCount: Int { pages.pageCount }

    func arm(policy: FaultPolicy, tracksDirty: Bool) throws {
        handler.reset(policy: policy)
        try FaultSignalRoute.install(.segmentationFault, handler)
        if tracksDirty {
            let faults = try UserFaultFD(features: [.writeProtect, .writeProtectShmem, .writeProtectAsync])
            try faults.registerWriteProtect(pages, pages: 0..<pages.pageCount)
            tracking = (faults, try PageMapScan())
        }
    }

    func disarm() {
        FaultSignalRoute.remove(.segmentationFault)
        try? pages.setWritable(0..<pages.pageCount, true)
        if let tracking { try? tracking.faults.unregister(pages, pages: 0..<pages.pageCount) }
        tracking = nil
    }

    func protect(_ run: Range<Int>) throws { try pages.setWritable(run, false) }
    func unprotect(_ run: Range<Int>) throws { try pages.setWritable(run, true) }

    func clean(_ run: Range<Int>) throws {
        guard let tracking else { throw BenchError("\(key): dirty tracking not armed") }
        try tracking.faults.writeProtect(pages, pages: run, true)
    }

    func write(page: Int) { pages.store(1, page: page) }

    func isDirty(page: Int) throws -> Bool {
        guard let tracking else { throw BenchError("\(key): dirty tracking not armed") }
        return try tracking.scan.isWritten(pages, page: page)
    }

    var faults: Int { handler.faults.load(ordering: .acquiring) }
    var handlerCPU: Int { handler.cpu.load(ordering: .relaxed) }
}

/// The SIGSEGV handler of the kernel way: mprotect in the handler, per the benchmark's policy.
final class KernelFaultHandler: FaultSignalHandler, @unchecked Sendable {
    let pages: AddressReservation
    let faults = Atomic<Int>(0)
    let cpu = Atomic<Int>(-1)
    // Read and written only inside the handler (on the faulting thread) and by `reset`, which
    // runs while no fault can be in flight.
    private var policy = FaultPolicy.unprotectFaulting
    private var previous = -1

    init(pages: AddressReservation) { self.pages = pages }

    func reset(policy: FaultPolicy) {
        self.policy = policy
        previous = -1
        faults.store(0, ordering: .releasing)
    }

    func handleFault(at address: UInt, signal: Int32) -> Bool {
        guard let page = pages.page(containing: address) else { return false }
        faults.add(1, ordering: .releasing)
        cpu.store(CPUAffinity.currentCPU, ordering: .relaxed)
        do {
            if case .protectPreviousThenUnprotect = policy, previous >= 0 {
                try pages.setWritable(previous..<(previous + 1), false)
            }
            try pages.setWritable(page..<(page + 1), true)
        } catch {
            return false
        }
        previous = page
        return true
    }
}

/// The kernel tracks writes itself (userfaultfd WP_ASYNC: a write to a protected page is
/// resolved in the kernel, no message, no handler); the library OS refreshes its record with
/// one PAGEMAP_SCAN per sweep of the region. Protection here only arms tracking — a write
/// never stops — so the fault benchmarks do not apply.
final class WriteTrackingWay: VMWay {
    let key = "wp-async"
    let summary = "userfaultfd WP_ASYNC: kernel-resolved write tracking; dirty from one PAGEMAP_SCAN per sweep of the region"
    let supported: Set<VMBenchmark> = [.dirty, .prot1, .prot100, .unprot100]
    private let pages: AddressReservation
    private var tracking: (faults: UserFaultFD, scan: PageMapScan)?
    /// The record the last scan filled, and how many more pages may be answered from it.
    private var written: [Bool]
    private var answersLeft = 0

    init(pages: AddressReservation) {
        self.pages = pages
        written = Array(repeating: false, count: pages.pageCount)
    }

    var pageCount: Int { pages.pageCount }

    func arm(policy: FaultPolicy, tracksDirty: Bool) throws {
        let faults = try UserFaultFD(features: [.writeProtect, .writeProtectShmem, .writeProtectAsync])
        try faults.registerWriteProtect(pages, pages: 0..<pages.pageCount)
        tracking = (faults, try PageMapScan())
        answersLeft = 0
    }

    func disarm() {
        if let tracking { try? tracking.faults.unregister(pages, pages: 0..<pages.pageCount) }
        tracking = nil
    }

    private var armed: (faults: UserFaultFD, scan: PageMapScan) {
        guard let tracking else { preconditionFailure("\(key): not armed") }
        return tracking
    }

    func protect(_ run: Range<Int>) throws { try armed.faults.writeProtect(pages, pages: run, true) }
    func unprotect(_ run: Range<Int>) throws { try armed.faults.writeProtect(pages, pages: run, false) }
    func clean(_ run: Range<Int>) throws {
        try protect(run)
        answersLeft = 0
    }
    func write(page: Int) {
        pages.store(1, page: page)
        answersLeft = 0
    }

    /// Answers from the record; a sweep's first question (every `pageCount` questions, or after
    /// a write) refreshes the whole record with one scan.
    func isDirty(page: Int) throws -> Bool {
        if answersLeft == 0 {
            for index in written.indices { written[index] = false }
            try armed.scan.forEachWrittenRun(pages, pages: 0..<pages.pageCount) { run in
                for index in run { written[index] = true }
            }
            answersLeft = pages.pageCount
        }
        answersLeft -= 1
        return written[page]
    }

    var faults: Int { 0 }
    var handlerCPU: Int { -1 }
}
