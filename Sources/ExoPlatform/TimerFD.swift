// A CLOCK_MONOTONIC timer as a descriptor, so deadlines (revocation, watchdog, retransmit)
// arrive through the same epoll as everything else.
import CExoShims
import Glibc

/// A timerfd on CLOCK_MONOTONIC (TFD_NONBLOCK|TFD_CLOEXEC). Owns its descriptor.
public final class TimerFD: Sendable {
    private let descriptor: OwnedDescriptor

    /// The timer's descriptor, owned by this object.
    public var fd: Int32 { descriptor.raw }

    public init() throws(SystemError) {
        let flags = Int32(TFD_NONBLOCK) | Int32(TFD_CLOEXEC)
        descriptor = OwnedDescriptor(adopting: try Syscall.retrying("timerfd_create") { timerfd_create(CLOCK_MONOTONIC, flags) })
    }

    /// Fires first after `initialNanoseconds` (0 is taken as 1 ns, i.e. at once, because 0
    /// would disarm), then every `intervalNanoseconds` (0: once). Replaces any earlier arming.
    public func arm(initialNanoseconds: UInt64, intervalNanoseconds: UInt64) {
        set(initial: max(initialNanoseconds, 1), interval: intervalNanoseconds)
    }

    /// Stops the timer; expirations not yet drained stay readable.
    public func disarm() {
        set(initial: 0, interval: 0)
    }

    /// Reads and resets the expiration count: 0 if the timer has not fired since the last drain.
    public func drain() -> UInt64 {
        var count: UInt64 = 0
        let result = try? Syscall.retryingUnlessWouldBlock("timerfd read") { read(descriptor.raw, &count, 8) }
        return result == 8 ? count : 0
    }

    private func set(initial: UInt64, interval: UInt64) {
        var value = itimerspec(it_interval: Self.timespec(interval), it_value: Self.timespec(initial))
        // Fails only with EBADF/EINVAL: an owned timerfd and normalized values rule both out.
        let result = timerfd_settime(descriptor.raw, 0, &value, nil)
        precondition(result == 0, "timerfd_settime failed on an owned timerfd: errno \(Glibc.errno)")
    }

    private static func timespec(_ nanoseconds: UInt64) -> Glibc.timespec {
        Glibc.timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    }
}
