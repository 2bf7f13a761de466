// The kernel's answer to "which pages were written?": the PAGEMAP_SCAN ioctl on
// /proc/self/pagemap (PAGE_IS_WRITTEN: not write-protected by userfaultfd). This kernel has
// no soft-dirty bits (PLATFORM.md), so write tracking needs a userfaultfd registration.
import CExoShims
import Glibc

/// An open /proc/self/pagemap used for PAGEMAP_SCAN. Owns its descriptor.
public final class PageMapScan: Sendable {
    public let descriptor: OwnedDescriptor

    public init() throws(SystemError) {
        descriptor = OwnedDescriptor(adopting: try Syscall.retrying("open(/proc/self/pagemap)") {
            open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC)
        })
    }

    /// Calls `body` with each run of written pages in `pages` of `reservation`, as page-index
    /// ranges, in address order. With `rearm`, the pages reported are write-protected again in
    /// the same walk (needs a WP_ASYNC registration). One ioctl; no heap allocation.
    public func forEachWrittenRun(
        _ reservation: AddressReservation, pages: Range<Int>, rearm: Bool = false, _ body: (Range<Int>) -> Void
    ) throws(SystemError) {
        try reservation.check(pages)
        let start = reservation.address(ofPage: pages.lowerBound)
        let base = UInt(bitPattern: reservation.base)
        let pageSize = UInt(reservation.pageSize)
        // Runs alternate at worst page by page: half the pages, plus one, bound their number.
        let capacity = pages.count / 2 + 1
        let result: Result<Void, SystemError> = withUnsafeTemporaryAllocation(of: cexo_page_region.self, capacity: capacity) { runs in
            let count = cexo_pagemap_scan_written(
                descriptor.raw, start, pages.count * reservation.pageSize, runs.baseAddress, capacity, rearm ? 1 : 0)
            guard count >= 0 else { return .failure(SystemError.lastError("ioctl(PAGEMAP_SCAN)")) }
            for run in runs.prefix(count) {
                body(Int((UInt(run.start) - base) / pageSize)..<Int((UInt(run.end) - base) / pageSize))
            }
            return .success(())
        }
        try result.get()
    }

    /// True when page `page` of `reservation` was written (one ioctl for one page).
    public func isWritten(_ reservation: AddressReservation, page: Int) throws(SystemError) -> Bool {
        var written = false
        try forEachWrittenRun(reservation, pages: page..<(page + 1)) { _ in written = true }
        return written
    }
}
