// A userfaultfd in write-protect mode: the kernel stops a thread that writes a protected page
// and reports the fault here (or, with .sigbus, sends that thread SIGBUS), so protection and
// fault handling live at user level. Also the write-tracking (.wpAsync) mode PAGEMAP_SCAN reads.
import CExoShims
import Glibc

/// The features asked of UFFDIO_API (the kernel's UFFD_FEATURE_* bits).
public struct UserFaultFeatures: OptionSet, Sendable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// Write-protect faults are reported (UFFD_FEATURE_PAGEFAULT_FLAG_WP).
    public static let writeProtect = UserFaultFeatures(rawValue: UInt64(CEXO_UFFD_FEATURE_PAGEFAULT_FLAG_WP))
    /// Write protection of shmem (memfd) and hugetlbfs mappings.
    public static let writeProtectShmem = UserFaultFeatures(rawValue: UInt64(CEXO_UFFD_FEATURE_WP_HUGETLBFS_SHMEM))
    /// Faults are not queued: the faulting thread gets SIGBUS instead.
    public static let sigbus = UserFaultFeatures(rawValue: UInt64(CEXO_UFFD_FEATURE_SIGBUS))
    /// The kernel resolves write-protect faults itself (clears the bit, no message): write tracking.
    public static let writeProtectAsync = UserFaultFeatures(rawValue: UInt64(CEXO_UFFD_FEATURE_WP_ASYNC))
    /// Write protection also applies to pages not yet populated.
    public static let writeProtectUnpopulated = UserFaultFeatures(rawValue: UInt64(CEXO_UFFD_FEATURE_WP_UNPOPULATED))
}

/// One fault reported by the kernel.
public struct UserFault: Sendable, Equatable {
    /// The faulting address (page-aligned unless the exact-address feature was asked for).
    public let address: UInt
    /// True for a write-protect fault (the only kind a write-protect registration reports).
    public let isWriteProtect: Bool
}

/// A userfaultfd (O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY). Owns its descriptor; closing
/// it (deinit) unregisters every range and clears the write protection it set.
public final class UserFaultFD: Sendable {
    public let descriptor: OwnedDescriptor
    /// What the kernel granted (a superset of what was asked is reported as offered).
    public let features: UserFaultFeatures

    /// Opens a userfaultfd and asks for `features` (all of them, or it throws EINVAL).
    public init(features: UserFaultFeatures) throws(SystemError) {
        let fd = OwnedDescriptor(adopting: try Syscall.retrying("userfaultfd") { cexo_uffd_open() })
        var offered: UInt64 = 0
        _ = try Syscall.retrying("ioctl(UFFDIO_API)") { cexo_uffd_api(fd.raw, features.rawValue, &offered) }
        descriptor = fd
        self.features = UserFaultFeatures(rawValue: offered)
    }

    /// Registers `pages` of `reservation` for write-protect faults (UFFDIO_REGISTER_MODE_WP).
    /// Every mapping in the range must be shmem/memfd or anonymous.
    public func registerWriteProtect(_ reservation: AddressReservation, pages: Range<Int>) throws(SystemError) {
        try reservation.check(pages)
        let start = reservation.address(ofPage: pages.lowerBound)
        let length = pages.count * reservation.pageSize
        _ = try Syscall.retrying("ioctl(UFFDIO_REGISTER)") { cexo_uffd_register_wp(descriptor.raw, start, length) }
    }

    /// Unregisters `pages` (their write protection is cleared).
    public func unregister(_ reservation: AddressReservation, pages: Range<Int>) throws(SystemError) {
        try reservation.check(pages)
        let start = reservation.address(ofPage: pages.lowerBound)
        let length = pages.count * reservation.pageSize
        _ = try Syscall.retrying("ioctl(UFFDIO_UNREGISTER)") { cexo_uffd_unregister(descriptor.raw, start, length) }
    }

    /// Sets (`protect`) or clears the write-protect bit of every page in `pages`, one ioctl for
    /// the run. Clearing also wakes threads stopped on a fault there.
    public func writeProtect(_ reservation: AddressReservation, pages: Range<Int>, _ protect: Bool) throws(SystemError) {
        try reservation.check(pages)
        let start = reservation.address(ofPage: pages.lowerBound)
        let length = pages.count * reservation.pageSize
        _ = try Syscall.retrying("ioctl(UFFDIO_WRITEPROTECT)") {
            cexo_uffd_writeprotect(descriptor.raw, start, length, protect ? 1 : 0)
        }
    }

    /// The next queued fault, or nil when none is queued (never blocks). Other events are skipped.
    public func nextFault() throws(SystemError) -> UserFault? {
        var address: UInt64 = 0
        var flags: UInt64 = 0
        while true {
            let kind = cexo_uffd_read_fault(descriptor.raw, &address, &flags)
            switch kind {
            case 1: return UserFault(address: UInt(address), isWriteProtect: flags & UInt64(CEXO_UFFD_PAGEFAULT_FLAG_WP) != 0)
            case 0: return nil
            case 2: continue
            default:
                if errno == EINTR { continue }
                throw SystemError.lastError("read(userfaultfd)")
            }
        }
    }

    /// Waits up to `milliseconds` (-1: forever) until a fault is queued; true when one is.
    public func waitForFault(milliseconds: Int32) throws(SystemError) -> Bool {
        var poller = pollfd(fd: descriptor.raw, events: Int16(POLLIN), revents: 0)
        let ready = try Syscall.retrying("poll(userfaultfd)") { poll(&poller, 1, milliseconds) }
        return ready > 0
    }
}
