// The ways `exobench vm` runs Appel & Li's primitives on one region of daemon frames: each
// way protects, unprotects, takes write faults and answers "dirty?" with its own mechanism.

import ExOS
import ExoPlatform

/// What a way's fault handler does, chosen per benchmark before the way is armed.
enum FaultPolicy {
    /// Unprotect the faulting page (trap, appel2).
    case unprotectFaulting
    /// Protect the page that faulted before, then unprotect the faulting one (appel1).
    case protectPreviousThenUnprotect
}

/// One way of doing the primitives. `arm` is called before each benchmark run and `disarm`
/// after it, so no two ways hold a fault route (SIGSEGV, SIGBUS) or a registration at once.
protocol VMWay: AnyObject {
    /// The JSON key and column name.
    var key: String { get }
    /// What the way does, for the table's legend.
    var summary: String { get }
    /// The benchmarks this way can run (the others print "n/a").
    var supported: Set<VMBenchmark> { get }
    var pageCount: Int { get }

    func arm(policy: FaultPolicy, tracksDirty: Bool) throws
    func disarm()
    func protect(_ pages: Range<Int>) throws
    func unprotect(_ pages: Range<Int>) throws
    /// Makes every page's next write visible to `isDirty` (dirty tracking armed).
    func clean(_ pages: Range<Int>) throws
    /// Writes one byte of `page` (it may fault).
    func write(page: Int)
    func isDirty(page: Int) throws -> Bool
    /// Write faults taken since `arm`.
    var faults: Int { get }
    /// The CPU the last fault was handled on, -1 when none or unknown.
    var handlerCPU: Int { get }
}

/// The library OS's ways: a `PageManager` over the region, with one of its mechanisms.
final class ExOSWay: VMWay {
    let key: String
    let summary: String
    let supported = Set(VMBenchmark.allCases)
    private let region: FrameRegion
    private let mechanism: WriteFaultMechanism
    private var manager: PageManager?
    /// The page appel1's handler protects next (the one that faulted before), -1 for none.
    private let previous = PreviousPage()

    init(key: String, summary: String, region: FrameRegion, mechanism: WriteFaultMechanism) {
        self.key = key
        self.summary = summary
        self.region = region
        self.mechanism = mechanism
    }

    var pageCount: Int { region.pageCount }

    func arm(policy: FaultPolicy, tracksDirty: Bool) throws {
        previous.page = -1
        let previous = self.previous
        let handler: WriteFaultHandler
        switch policy {
        case .unprotectFaulting:
            handler = { manager, page in Self.must { () throws(PageManagementError) in try manager.unprotect(page: page) } }
        case .protectPreviousThenUnprotect:
            handler = { manager, page in
                if previous.page >= 0 { Self.must { () throws(PageManagementError) in try manager.protect(page: previous.page) } }
                Self.must { () throws(PageManagementError) in try manager.unprotect(page: page) }
                previous.page = page
            }
        }
        manager = try PageManager(region: region, mechanism: mechanism, tracksDirty: tracksDirty, onWriteFault: handler)
    }

    /// A handler cannot throw: a failed call inside one ends the benchmark with its reason.
    private static func must(_ call: () throws(PageManagementError) -> Void) {
        do {
            try call()
        } catch {
            fatalError("exobench vm: in a fault handler: \(error)")
        }
    }

    func disarm() {
        manager?.close()
        manager = nil
    }

    private var armed: PageManager {
        guard let manager else { preconditionFailure("\(key): not armed") }
        return manager
    }

    func protect(_ pages: Range<Int>) throws { try armed.protect(pages) }
    func unprotect(_ pages: Range<Int>) throws { try armed.unprotect(pages) }
    func clean(_ pages: Range<Int>) throws { try armed.clean(pages) }
    func write(page: Int) { region.pages.store(1, page: page) }
    func isDirty(page: Int) throws -> Bool { try armed.isDirty(page) }
    var faults: Int { manager?.faultCount ?? 0 }
    var handlerCPU: Int { manager?.lastHandlerCPU ?? -1 }
}

/// The page appel1's handler remembers between faults. Written only by the fault handler,
/// which runs while the faulting thread is stopped (signal) or blocked (userfaultfd), and read
/// by `arm` when no fault can be in flight; so no two threads touch it at once.
final class PreviousPage: @unchecked Sendable {
    var page = -1
}
