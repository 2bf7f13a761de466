// Single ownership of one file descriptor: closed exactly once, on close() or deinit,
// unless released to a caller who then owns it.
import Glibc
import Synchronization

/// Owns one file descriptor; closes it on deinit unless released.
///
/// A control-plane type (a class, so it can live in arrays and dictionaries). It is
/// `Sendable` because its only state, the raw descriptor, is an `Atomic`: `release()` and
/// `close()` each take the descriptor out with one atomic exchange, so even racing calls
/// close it at most once and hand it out at most once. (The kernel may reuse the number
/// after a close, so a `raw` value read before a racing close is stale; don't share one
/// descriptor between threads that close it.)
public final class OwnedDescriptor: Sendable {
    private let storage: Atomic<Int32>

    /// Takes ownership of `raw`: this object will close it.
    public init(adopting raw: Int32) {
        storage = Atomic(raw)
    }

    deinit { close() }

    /// The descriptor, still owned by this object; -1 after `release()` or `close()`.
    public var raw: Int32 { storage.load(ordering: .acquiring) }

    /// Gives up ownership: the caller now owns (and must close) the returned descriptor.
    /// Returns -1 if it was already released or closed.
    public func release() -> Int32 {
        storage.exchange(-1, ordering: .acquiringAndReleasing)
    }

    /// Closes the descriptor; idempotent. EINTR from close is not retried (on Linux the
    /// descriptor is gone either way, and retrying could close a reused number).
    public func close() {
        let fd = storage.exchange(-1, ordering: .acquiringAndReleasing)
        if fd >= 0 { _ = Glibc.close(fd) }
    }
}

extension OwnedDescriptor {
    /// A second descriptor for the same open file (close-on-exec), owned by the caller.
    public func duplicate() throws(SystemError) -> OwnedDescriptor {
        try Self.duplicate(raw)
    }

    /// A close-on-exec duplicate of a descriptor another object owns (an eventfd, a memfd),
    /// owned by the caller: F_DUPFD_CLOEXEC, so it is never inheritable, not even briefly.
    public static func duplicate(_ raw: Int32) throws(SystemError) -> OwnedDescriptor {
        let copy = fcntl(raw, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else { throw SystemError(operation: "fcntl(F_DUPFD_CLOEXEC)", errno: errno) }
        return OwnedDescriptor(adopting: copy)
    }
}

extension OwnedDescriptor {
    /// /dev/null, read-only and close-on-exec, or nil if it cannot be opened (the daemon
    /// holds one spare this way, to free at EMFILE).
    public static func openNullDevice() -> OwnedDescriptor? {
        let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
        return fd >= 0 ? OwnedDescriptor(adopting: fd) : nil
    }
}
