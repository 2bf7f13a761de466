// The library OS's page management over a FrameRegion: protection changed per run of pages
// in one call, write faults taken at user level, and dirty state answered from its own
// record (PageTable) instead of asking the kernel. Appel & Li's primitives, ExOS's way.

import ExoPlatform
import Synchronization

/// Called for a write fault on a page the application protected, on the thread that handles
/// faults (the faulting thread for signal mechanisms, the handler thread for `.userfault`).
/// It must make the page writable (`unprotect`), or the faulting write can never complete
/// (ExOS then stops the process with a message rather than hang or loop).
public typealias WriteFaultHandler = @Sendable (_ manager: PageManager, _ page: Int) -> Void

/// Manages protection and dirty state of every page of one region.
///
/// One mutating thread: the record is consistent under its lock, but a fault handler running
/// on another thread while the faulting thread also changes protection is not a supported use.
/// Call `close()` when done: the fault route and handler thread hold this object until then.
public final class PageManager: FaultSignalHandler, Sendable {
    /// The pages it manages.
    public let region: FrameRegion
    /// How write faults reach it.
    public let mechanism: WriteFaultMechanism
    private let table: Mutex<PageTable>
    private let trap: any WriteTrap
    private let onWriteFault: WriteFaultHandler
    private let faults = Atomic<Int>(0)
    private let handlerCPU = Atomic<Int>(-1)
    private let stopping = Atomic<Bool>(false)
    /// The page whose protection fault the application's handler is resolving, -1 for none.
    /// Cleared when a run that makes it writable is applied, so the check after the handler
    /// holds even if the woken faulting thread protects the page again at once.
    private let unresolvedFault = Atomic<Int>(-1)
    private let handlerThread: Mutex<PlatformThread?> = Mutex(nil)

    /// Takes over `region`'s pages (all writable at first). With `tracksDirty`, `clean` makes
    /// pages trap their next write so `isDirty` can answer from the record.
    public init(
        region: FrameRegion, mechanism: WriteFaultMechanism, tracksDirty: Bool = false,
        onWriteFault: @escaping WriteFaultHandler
    ) throws(PageManagementError) {
        self.region = region
        self.mechanism = mechanism
        self.onWriteFault = onWriteFault
        table = Mutex(PageTable(frames: region.frames, tracksDirty: tracksDirty))
        switch mechanism {
        case .mprotect: trap = MprotectTrap(pages: region.pages)
        case .userfault: trap = try UserfaultTrap(pages: region.pages, extra: [])
        case .userfaultSignal: trap = try UserfaultTrap(pages: region.pages, extra: [.sigbus])
        }
        do {
            switch mechanism {
            case .mprotect: try FaultSignalRoute.install(.segmentationFault, self)
            case .userfaultSignal: try FaultSignalRoute.install(.busError, self)
            case .userfault(let cpu):
                guard let userfault = trap as? UserfaultTrap else { preconditionFailure("userfault mechanism without a userfaultfd") }
                let faults = userfault.faults
                // The thread holds this manager until close() stops it (see the type's comment).
                let thread = try PlatformThread(cpu: cpu) { [self] in serve(faults) }
                handlerThread.withLock { $0 = thread }
            }
        } catch {
            trap.release()
            throw .system(error)
        }
    }

    deinit { close() }

    // MARK: - Appel & Li's primitives

    /// Write-protects `pages` (their next write faults to the handler): one call per run of
    /// pages whose hardware state changes.
    public func protect(_ pages: Range<Int>) throws(PageManagementError) {
        try change(pages, .protect)
    }

    /// Makes `pages` writable again (wakes a thread stopped on a fault there).
    public func unprotect(_ pages: Range<Int>) throws(PageManagementError) {
        try change(pages, .unprotect)
    }

    /// Marks `pages` clean: their next write is seen and recorded (needs dirty tracking).
    public func clean(_ pages: Range<Int>) throws(PageManagementError) {
        guard table.withLock({ $0.tracksDirty }) else { throw .notTrackingDirty }
        try change(pages, .clean)
    }

    /// Whether `page` was written since it was last cleaned, from ExOS's record: no system call.
    public func isDirty(_ page: Int) throws(PageManagementError) -> Bool {
        try table.withLock { table throws(PageManagementError) in
            guard table.tracksDirty else { throw .notTrackingDirty }
            guard page >= 0 && page < table.count else { throw .outOfRange(page..<(page + 1), pageCount: table.count) }
            return table[page].dirty
        }
    }

    /// The record of `page`.
    public func entry(_ page: Int) -> PageEntry { table.withLock { $0[page] } }

    /// Write faults taken so far (every kind, including first writes to clean pages).
    public var faultCount: Int { faults.load(ordering: .acquiring) }

    /// The CPU the last fault was handled on (-1 before any).
    public var lastHandlerCPU: Int { handlerCPU.load(ordering: .relaxed) }

    /// Stops the handler thread, removes the signal route, lifts every trap and lets go of the
    /// kernel registration. The region stays mapped and writable. Idempotent.
    public func close() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let thread = handlerThread.withLock { thread in
            defer { thread = nil }
            return thread
        }
        thread?.join()
        switch mechanism {
        case .mprotect: FaultSignalRoute.remove(.segmentationFault)
        case .userfaultSignal: FaultSignalRoute.remove(.busError)
        case .userfault: break
        }
        trap.release()
    }

    // MARK: - Faults

    /// FaultSignalHandler: a SIGSEGV or SIGBUS on the faulting thread.
    public func handleFault(at address: UInt, signal: Int32) -> Bool {
        guard let page = region.pages.page(containing: address) else { return false }
        handleWriteFault(on: page)
        return true
    }

    /// Counts the fault, then lets the write through (a first write to a clean page, or a
    /// stale report) or asks the application (a page it protected).
    func handleWriteFault(on page: Int) {
        faults.add(1, ordering: .releasing)
        handlerCPU.store(CPUAffinity.currentCPU, ordering: .relaxed)
        switch table.withLock({ $0.recordWriteFault(on: page) }) {
        case .firstWrite, .stale:
            do {
                try trap.setTrapsWrites(page..<(page + 1), false)
            } catch {
                fatalError("ExOS: cannot lift the write trap on page \(page): \(error)")
            }
        case .protection:
            unresolvedFault.store(page, ordering: .releasing)
            onWriteFault(self, page)
            if unresolvedFault.load(ordering: .acquiring) == page {
                fatalError("ExOS: the write-fault handler left page \(page) protected; the faulting write can never complete")
            }
        }
    }

    /// The handler thread's loop: wait for faults, handle each, until `close()`.
    private func serve(_ faults: UserFaultFD) {
        while !stopping.load(ordering: .acquiring) {
            do {
                guard try faults.waitForFault(milliseconds: 20) else { continue }
                while let fault = try faults.nextFault() {
                    guard let page = region.pages.page(containing: fault.address) else { continue }
                    handleWriteFault(on: page)
                }
            } catch {
                fatalError("ExOS: userfaultfd handler thread: \(error)")
            }
        }
    }

    private enum Change { case protect, unprotect, clean }

    private func change(_ pages: Range<Int>, _ change: Change) throws(PageManagementError) {
        let trap = self.trap
        let result: Result<Void, PageManagementError> = table.withLock { table in
            guard pages.lowerBound >= 0, pages.upperBound <= table.count, !pages.isEmpty else {
                return .failure(.outOfRange(pages, pageCount: table.count))
            }
            let apply = { (run: Range<Int>, protect: Bool) throws(SystemError) in
                try trap.setTrapsWrites(run, protect)
                if !protect, run.contains(self.unresolvedFault.load(ordering: .acquiring)) {
                    self.unresolvedFault.store(-1, ordering: .releasing)
                }
            }
            do throws(SystemError) {
                switch change {
                case .protect: try table.setWritable(pages, false, apply: apply)
                case .unprotect: try table.setWritable(pages, true, apply: apply)
                case .clean: try table.clean(pages, apply: apply)
                }
            } catch {
                return .failure(.system(error))
            }
            return .success(())
        }
        try result.get()
    }
}

extension PageManager {
    /// Write-protects one page.
    public func protect(page: Int) throws(PageManagementError) { try protect(page..<(page + 1)) }
    /// Makes one page writable.
    public func unprotect(page: Int) throws(PageManagementError) { try unprotect(page..<(page + 1)) }
}
