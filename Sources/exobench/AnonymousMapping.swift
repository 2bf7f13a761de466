// The Linux reference for the map benchmark: one private anonymous mapping, touched and
// unmapped, exactly what a process does when it gets fresh memory from the kernel.

import Glibc

/// An mmap(MAP_PRIVATE|MAP_ANONYMOUS) region, ~Copyable so it is unmapped exactly once.
/// Invariant: `base` points at `length` readable and writable bytes until `unmap()` consumes it.
struct AnonymousMapping: ~Copyable {
    private let base: UnsafeMutableRawPointer
    let length: Int

    /// nil when the kernel refuses the mapping.
    init?(length: Int) {
        let address = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else { return nil }
        base = address
        self.length = length
    }

    /// Writes one byte in every page, faulting each page in.
    func touchPages(pageSize: Int) {
        var offset = 0
        while offset < length {
            base.storeBytes(of: UInt8(truncatingIfNeeded: offset >> 12), toByteOffset: offset, as: UInt8.self)
            offset += pageSize
        }
    }

    consuming func unmap() {
        munmap(base, length)
        discard self
    }

    deinit { munmap(base, length) }
}
