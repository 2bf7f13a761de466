// A counter the kernel can wait on: the ring wake-up between the daemon and a tenant
// (signal on one side, epoll or a blocking read plus drain on the other).
import CExoShims
import Glibc

/// An eventfd (EFD_CLOEXEC, optionally EFD_NONBLOCK). Owns its descriptor; it is closed when
/// this object goes away. The descriptor may be sent to another process (SCM_RIGHTS).
public final class EventFD: Sendable {
    /// The owned descriptor; `release()` it to take it over.
    public let descriptor: OwnedDescriptor

    /// The eventfd's descriptor, owned by this object.
    public var fd: Int32 { descriptor.raw }

    public init(initial: UInt32 = 0, nonBlocking: Bool = true) throws(SystemError) {
        let flags = Int32(EFD_CLOEXEC) | (nonBlocking ? Int32(EFD_NONBLOCK) : 0)
        descriptor = OwnedDescriptor(adopting: try Syscall.retrying("eventfd") { eventfd(initial, flags) })
    }

    /// Takes ownership of an eventfd received from elsewhere (e.g. over SCM_RIGHTS).
    public init(adopting descriptor: OwnedDescriptor) {
        self.descriptor = descriptor
    }

    /// Adds one to the counter, waking a waiter. A counter at its maximum (EAGAIN) is
    /// already readable, so no wake-up is lost by ignoring that case.
    public func signal() {
        var one: UInt64 = 1
        _ = try? Syscall.retryingUnlessWouldBlock("eventfd write") { write(descriptor.raw, &one, 8) }
    }

    /// Reads and resets the counter: the number of signals since the last drain, 0 if none
    /// (non-blocking). On a blocking eventfd this waits for the first signal.
    public func drain() -> UInt64 {
        var count: UInt64 = 0
        let result = try? Syscall.retryingUnlessWouldBlock("eventfd read") { read(descriptor.raw, &count, 8) }
        return result == 8 ? count : 0
    }
}
