// A deadline per connection, re-armed before each wait: when it passes, the watchdog resets
// the connection, which ends the stalled read or write with an error.

import ExOS
import Synchronization

final class ConnectionWatchdog: Sendable {
    private let deadline = Mutex<ContinuousClock.Instant?>(nil)

    /// The connection must make progress within `timeout` from now.
    func arm(_ timeout: Duration) {
        deadline.withLock { $0 = .now + timeout }
    }

    /// Checks the deadline every half second until cancelled or it passes (then aborts).
    func watch(_ connection: TCPConnection) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(500))
            let expired = deadline.withLock { $0.map { $0 < .now } ?? false }
            if expired && !Task.isCancelled {
                connection.abort()
                return
            }
        }
    }
}
