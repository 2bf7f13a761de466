// Backing for pool frames: one sealed, 0600 memfd per allocation, safe to hand to a tenant,
// plus read-only reopenings for read grants and hole punching to zero a frame in place.
import CExoShims
import Glibc

/// Frame backing: a memfd per frame (see PLATFORM.md, "Limits that shape the frame pool").
public enum FrameMemory {
    /// The seals every frame memfd carries: its size is fixed and no one can add seals
    /// (in particular not F_SEAL_FUTURE_WRITE, which would lock the daemon out).
    public static let frameSeals = Int32(CEXO_SEAL_SHRINK | CEXO_SEAL_GROW | CEXO_SEAL_SEAL)

    /// memfd_create(MFD_CLOEXEC|MFD_ALLOW_SEALING), ftruncate(size), fchmod 0600 (so a
    /// read-only holder cannot reopen it writable), then seals it with `frameSeals`.
    /// The memory reads as zeros. The caller owns the result; its fd may then leave the process.
    public static func createSealed(name: String, size: Int) throws(SystemError) -> OwnedDescriptor {
        let memfd = OwnedDescriptor(adopting: try Syscall.retrying("memfd_create") { cexo_memfd_create_sealable(name) })
        let fd = memfd.raw
        _ = try Syscall.retrying("ftruncate") { ftruncate(fd, off_t(size)) }
        _ = try Syscall.retrying("fchmod") { fchmod(fd, 0o600) }
        _ = try Syscall.retrying("fcntl(F_ADD_SEALS)") { cexo_add_seals(fd, frameSeals) }
        return memfd
    }

    /// The seals in force on `fd` (CEXO_SEAL_* bits), from F_GET_SEALS.
    public static func seals(_ fd: Int32) throws(SystemError) -> Int32 {
        try Syscall.retrying("fcntl(F_GET_SEALS)") { cexo_get_seals(fd) }
    }

    /// A read-only reopening of `fd` (borrowed) through /proc/self/fd/N (O_RDONLY|O_CLOEXEC):
    /// a new open file description, so mapping it writable and shared fails in the kernel.
    /// The caller owns the result.
    public static func reopenReadOnly(_ fd: Int32) throws(SystemError) -> OwnedDescriptor {
        let path = "/proc/self/fd/\(fd)"
        return OwnedDescriptor(adopting: try Syscall.retrying("open(\(path))") { open(path, O_RDONLY | O_CLOEXEC) })
    }

    /// Zeroes the first `size` bytes of `fd` in place (fallocate PUNCH_HOLE|KEEP_SIZE) and
    /// frees their memory. Current mappings read zeros afterwards; a write by any holder
    /// puts a page back, so a punched frame still must not pass to another tenant.
    public static func punch(_ fd: Int32, size: Int) throws(SystemError) {
        _ = try Syscall.retrying("fallocate(PUNCH_HOLE)") { cexo_punch_hole(fd, 0, off_t(size)) }
    }
}
