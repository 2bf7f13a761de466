// Blocking until the daemon kicks: poll(2) on the daemonToTenant eventfd with a timeout,
// then drain it. The only syscalls of `DataPath.wait` after need-wakeup is armed.

import ExoPlatform
import Glibc

enum Wakeup {
    /// Waits until `fd` is readable or `timeout` passes (nil: forever). Returns true when it
    /// became readable (the counter is then drained) or a signal interrupted the wait
    /// (a spurious wakeup the caller tolerates), false on timeout.
    static func wait(on fd: Int32, timeout: Duration?) throws(SystemError) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = timeout.map { Self.milliseconds($0) } ?? -1
        let ready = poll(&entry, 1, milliseconds)
        if ready < 0 {
            if errno == EINTR { return true }
            throw SystemError(operation: "poll(daemonToTenant eventfd)", errno: errno)
        }
        if ready == 0 { return false }
        if entry.revents & Int16(POLLNVAL | POLLERR) != 0 {
            throw SystemError(operation: "poll(daemonToTenant eventfd)", errno: EBADF)
        }
        var count: UInt64 = 0
        _ = read(fd, &count, 8)  // non-blocking or known readable: returns at once
        return true
    }

    /// A timeout in whole milliseconds, rounded up so a short wait is never zero, capped to Int32.
    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        let total = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: total)
    }
}
