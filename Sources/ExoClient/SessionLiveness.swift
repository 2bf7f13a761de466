// Whether a session's control connection is still up, as the data path sees it: set once by
// the control reader when the daemon goes away, read by `DataPath.wait` without locking.

import ExoPlatform
import Synchronization

/// The end of a session, seen from its data path. The control reader marks it ended and
/// wakes every eventfd registered with it (the data path blocks on its own duplicate of the
/// daemon's eventfd), so a tenant waiting for packets learns at once that none will come.
package final class SessionLiveness: Sendable {
    private let ended = Atomic<Bool>(false)
    /// Duplicates of data-path eventfds to write when the session ends; owned here.
    private let wakers = Mutex<[EventFD]>([])

    package var hasEnded: Bool { ended.load(ordering: .acquiring) }

    /// Takes `eventfd` and writes it when the session ends (at once if it already has).
    package func wakeOnEnd(_ eventfd: EventFD) {
        let registered = wakers.withLock { list -> Bool in
            guard !ended.load(ordering: .relaxed) else { return false }
            list.append(eventfd)
            return true
        }
        if !registered { eventfd.signal() }
    }

    /// Marks the session ended and wakes every registered waiter (once).
    package func end() {
        let woken = wakers.withLock { list -> [EventFD] in
            ended.store(true, ordering: .releasing)
            defer { list.removeAll() }
            return list
        }
        for eventfd in woken { eventfd.signal() }
    }
}
