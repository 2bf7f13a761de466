// The daemon reactor's readiness source: one epoll instance, caller-chosen 64-bit tokens,
// and a wait that reuses one preallocated event buffer (no allocation per call).
import CExoShims
import Glibc

/// An epoll instance (EPOLL_CLOEXEC). Registered descriptors stay owned by the caller;
/// closing one removes it from the set. Not `Sendable`: it belongs to one reactor thread.
public final class Epoll {
    /// What to wait for, and what was reported. Raw values are the kernel's EPOLL* bits.
    public struct Events: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// EPOLLIN: a read will not block (includes end of stream).
        public static let readable = Events(rawValue: EPOLLIN.rawValue)
        /// EPOLLOUT: a write will not block.
        public static let writable = Events(rawValue: EPOLLOUT.rawValue)
        /// EPOLLHUP: the peer hung up. Always reported; need not be requested.
        public static let hangup = Events(rawValue: EPOLLHUP.rawValue)
        /// EPOLLRDHUP: the peer shut down its writing side.
        public static let peerClosedWriting = Events(rawValue: EPOLLRDHUP.rawValue)
        /// EPOLLERR: an error is pending. Always reported; need not be requested.
        public static let error = Events(rawValue: EPOLLERR.rawValue)
        /// EPOLLET: report each change once (edge-triggered) instead of while it holds.
        public static let edgeTriggered = Events(rawValue: EPOLLET.rawValue)
    }

    private let descriptor: OwnedDescriptor
    /// Where the kernel writes ready events; allocated once, freed in deinit.
    private let buffer: UnsafeMutableBufferPointer<epoll_event>

    /// The epoll descriptor, owned by this object (for nesting it in another poller).
    public var fd: Int32 { descriptor.raw }

    /// Creates the instance; `maximumEventsPerWait` bounds how many ready descriptors one
    /// `wait` reports (the rest are reported by the next).
    public init(maximumEventsPerWait: Int = 256) throws(SystemError) {
        precondition(maximumEventsPerWait > 0, "an epoll wait needs room for one event")
        let fd = try Syscall.retrying("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        descriptor = OwnedDescriptor(adopting: fd)
        buffer = .allocate(capacity: maximumEventsPerWait)
    }

    deinit { buffer.deallocate() }

    /// Registers `fd` (borrowed) to report `events` with `token`.
    public func add(_ fd: Int32, events: Events, token: UInt64) throws(SystemError) {
        try control(EPOLL_CTL_ADD, fd, events: events, token: token, operation: "epoll_ctl(ADD)")
    }

    /// Changes the events and token of a registered `fd`.
    public func modify(_ fd: Int32, events: Events, token: UInt64) throws(SystemError) {
        try control(EPOLL_CTL_MOD, fd, events: events, token: token, operation: "epoll_ctl(MOD)")
    }

    /// Unregisters `fd`; a descriptor that is not registered (ENOENT) or already closed
    /// (EBADF) is ignored.
    public func remove(_ fd: Int32) {
        var event = epoll_event()
        _ = try? Syscall.retrying("epoll_ctl(DEL)") { epoll_ctl(descriptor.raw, EPOLL_CTL_DEL, fd, &event) }
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever, 0: poll) and calls `body` with the
    /// token and events of each ready descriptor. An interrupting signal (EINTR) returns
    /// with no events. `body` may add, modify or remove registrations.
    public func wait(timeoutMilliseconds: Int32, _ body: (UInt64, Events) -> Void) throws(SystemError) {
        let ready = epoll_wait(descriptor.raw, buffer.baseAddress, Int32(buffer.count), timeoutMilliseconds)
        if ready < 0 {
            let error = Glibc.errno
            if error == EINTR { return }
            throw SystemError(operation: "epoll_wait", errno: error)
        }
        for index in 0..<Int(ready) {
            let event = buffer[index]
            body(event.data.u64, Events(rawValue: event.events))
        }
    }

    private func control(_ command: Int32, _ fd: Int32, events: Events, token: UInt64, operation: String) throws(SystemError) {
        var event = epoll_event()
        event.events = events.rawValue
        event.data.u64 = token
        _ = try Syscall.retrying(operation) { epoll_ctl(descriptor.raw, command, fd, &event) }
    }
}
