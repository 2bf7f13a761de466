// How ExOS makes writes trap and how the faults reach it: the three user-level ways this
// kernel offers, each a small type that changes the hardware state for a run of pages.

import ExoPlatform

/// The kernel mechanism behind a ``PageManager``.
public enum WriteFaultMechanism: Sendable, Equatable, CustomStringConvertible {
    /// `mprotect` per run of pages; a fault arrives as SIGSEGV on the faulting thread.
    case mprotect
    /// userfaultfd write protection per run (`UFFDIO_WRITEPROTECT`); a fault stops the faulting
    /// thread and is read by a handler thread pinned to `handlerCPU` (nil: wherever it runs).
    case userfault(handlerCPU: Int?)
    /// userfaultfd write protection per run; a fault arrives as SIGBUS on the faulting thread
    /// (`UFFD_FEATURE_SIGBUS`): no second thread, no wake-up.
    case userfaultSignal

    public var description: String {
        switch self {
        case .mprotect: "mprotect+SIGSEGV"
        case .userfault(let cpu): cpu.map { "userfaultfd, handler thread on CPU \($0)" } ?? "userfaultfd, handler thread unpinned"
        case .userfaultSignal: "userfaultfd+SIGBUS"
        }
    }
}

/// Makes writes to a run of pages trap, or not.
protocol WriteTrap: Sendable {
    func setTrapsWrites(_ pages: Range<Int>, _ trap: Bool) throws(SystemError)
    /// Lifts every trap and lets go of the kernel registration.
    func release()
}

/// mprotect: read-only traps writes, read-write does not.
struct MprotectTrap: WriteTrap {
    let pages: AddressReservation

    func setTrapsWrites(_ run: Range<Int>, _ trap: Bool) throws(SystemError) {
        try pages.setWritable(run, !trap)
    }

    func release() {
        try? pages.setWritable(0..<pages.pageCount, true)
    }
}

/// userfaultfd write protection of a registered region.
struct UserfaultTrap: WriteTrap {
    let pages: AddressReservation
    let faults: UserFaultFD

    /// Opens a userfaultfd with write protection on shmem (plus `extra` features) and
    /// registers every page of `pages`.
    init(pages: AddressReservation, extra: UserFaultFeatures) throws(PageManagementError) {
        let wanted: UserFaultFeatures = [.writeProtect, .writeProtectShmem]
        do {
            faults = try UserFaultFD(features: wanted.union(extra))
        } catch {
            throw error.errno == 22  // EINVAL: a feature this kernel lacks
                ? .unsupported("userfaultfd features \(wanted.union(extra).rawValue)") : .system(error)
        }
        self.pages = pages
        do {
            try faults.registerWriteProtect(pages, pages: 0..<pages.pageCount)
        } catch {
            throw .system(error)
        }
    }

    func setTrapsWrites(_ run: Range<Int>, _ trap: Bool) throws(SystemError) {
        try faults.writeProtect(pages, pages: run, trap)
    }

    func release() {
        try? faults.unregister(pages, pages: 0..<pages.pageCount)
        faults.descriptor.close()
    }
}
