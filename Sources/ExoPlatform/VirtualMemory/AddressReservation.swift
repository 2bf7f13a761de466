// A run of virtual addresses reserved with no memory behind it, into which descriptors are
// mapped page by page (MAP_FIXED): how separate frames become one contiguous range.
import CExoShims
import Glibc

/// `pageCount` pages of address space, reserved PROT_NONE (touching an unmapped page faults),
/// unmapped on deinit. Pages are addressed by index; raw addresses never leave ExoPlatform.
///
/// Invariant: `base` points at `pageCount * pageSize` reserved bytes for this object's whole
/// life. `@unchecked Sendable`: the type has no mutable state of its own; what it guards is
/// address space, and concurrent stores into shared pages are the caller's business.
public final class AddressReservation: @unchecked Sendable {
    public let pageSize: Int
    public let pageCount: Int
    let base: UnsafeMutableRawPointer

    /// Reserves `pages` pages (mmap PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE).
    public init(pages: Int, pageSize: Int = Int(sysconf(Int32(_SC_PAGESIZE)))) throws(SystemError) {
        guard pages > 0, pageSize > 0 else { throw SystemError(operation: "mmap(reserve)", errno: EINVAL) }
        let address = mmap(nil, pages * pageSize, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let address, address != MAP_FAILED else { throw SystemError.lastError("mmap(reserve)") }
        base = address
        self.pageSize = pageSize
        self.pageCount = pages
    }

    deinit { munmap(base, pageCount * pageSize) }

    /// Total bytes reserved.
    public var length: Int { pageCount * pageSize }

    /// Maps `pages` pages of `fd` (borrowed; may be closed right after) from offset 0 at page
    /// `page`, shared, read-write when `writable`, replacing what was there (MAP_FIXED).
    public func mapShared(_ fd: Int32, atPage page: Int, pages: Int = 1, writable: Bool) throws(SystemError) {
        guard page >= 0, pages > 0, page + pages <= pageCount else { throw SystemError(operation: "mmap(fixed)", errno: ERANGE) }
        let protection = PROT_READ | (writable ? PROT_WRITE : 0)
        let target = address(ofPage: page)
        let result = mmap(target, pages * pageSize, protection, MAP_SHARED | MAP_FIXED, fd, 0)
        guard let result, result != MAP_FAILED else { throw SystemError.lastError("mmap(fixed)") }
    }

    /// mprotect of `pages`: read-write when `writable`, else read-only. One call for the run.
    public func setWritable(_ pages: Range<Int>, _ writable: Bool) throws(SystemError) {
        try check(pages)
        let protection = PROT_READ | (writable ? PROT_WRITE : 0)
        let start = address(ofPage: pages.lowerBound)
        _ = try Syscall.retrying("mprotect") { mprotect(start, pages.count * pageSize, protection) }
    }

    /// Writes `value` into byte `offset` of page `page`. If the page is write-protected the
    /// store faults, here, with no lock held: a fault handler may run any code meanwhile.
    public func store(_ value: UInt8, page: Int, offset: Int = 0) {
        precondition(page >= 0 && page < pageCount && offset >= 0 && offset < pageSize, "page \(page) offset \(offset) outside the reservation")
        cexo_store_byte(address(ofPage: page) + offset, value)
    }

    /// Reads byte `offset` of page `page`.
    public func load(page: Int, offset: Int = 0) -> UInt8 {
        precondition(page >= 0 && page < pageCount && offset >= 0 && offset < pageSize, "page \(page) offset \(offset) outside the reservation")
        return cexo_load_byte(address(ofPage: page) + offset)
    }

    /// The page index `address` falls in, or nil when it is outside this reservation.
    public func page(containing address: UInt) -> Int? {
        let start = UInt(bitPattern: base)
        guard address >= start, address < start + UInt(length) else { return nil }
        return Int((address - start) / UInt(pageSize))
    }

    func address(ofPage page: Int) -> UnsafeMutableRawPointer { base + page * pageSize }

    func check(_ pages: Range<Int>) throws(SystemError) {
        guard pages.lowerBound >= 0, pages.upperBound <= pageCount, !pages.isEmpty else {
            throw SystemError(operation: "page range \(pages)", errno: ERANGE)
        }
    }
}
