// One mmap of a descriptor, unmapped exactly once; the only place ExoPlatform hands out a
// raw pointer into shared memory, and only for the duration of a closure.
import Glibc

/// A mapping of a descriptor; unmaps on deinit or `unmap()`.
///
/// Invariant: `base` points at `length` mapped bytes from `map` until `unmap()`, after which
/// the closures see an empty buffer. The pointer given to a closure is valid during the call
/// only (and while this object lives). `@unchecked Sendable` because the mapping itself is
/// shared memory that other threads and processes may also access; what this type does
/// not synchronize is `unmap()` against a concurrent closure, so unmap only once no other
/// thread is inside one (in practice: let deinit do it).
public final class MappedMemory: @unchecked Sendable {
    private var base: UnsafeMutableRawPointer?
    /// Size of the mapping in bytes (0 after `unmap()`).
    public private(set) var length: Int

    private init(base: UnsafeMutableRawPointer, length: Int) {
        self.base = base
        self.length = length
    }

    deinit { unmap() }

    /// mmap(fd, length) from offset 0, PROT_READ plus PROT_WRITE when `writable`, MAP_SHARED
    /// (writes reach the file and every other mapping) or MAP_PRIVATE (copy on write).
    /// `fd` stays owned by the caller and may be closed right after: the mapping outlives it.
    public static func map(_ fd: Int32, length: Int, writable: Bool, shared: Bool = true) throws(SystemError) -> MappedMemory {
        guard length > 0 else { throw SystemError(operation: "mmap", errno: EINVAL) }
        let protection = PROT_READ | (writable ? PROT_WRITE : 0)
        let flags = shared ? MAP_SHARED : MAP_PRIVATE
        let address = mmap(nil, length, protection, flags, fd, 0)
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw SystemError.lastError("mmap")
        }
        return MappedMemory(base: address, length: length)
    }

    /// Calls `body` with the mapped bytes (empty after `unmap()`). Writing through a read-only
    /// mapping faults (SIGSEGV): use it only on mappings made `writable`.
    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(start: base, count: length))
    }

    /// Calls `body` with the mapped bytes, read-only (empty after `unmap()`).
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: length))
    }

    /// Unmaps now; idempotent.
    public func unmap() {
        guard let address = base else { return }
        base = nil
        let size = length
        length = 0
        munmap(address, size)
    }
}
