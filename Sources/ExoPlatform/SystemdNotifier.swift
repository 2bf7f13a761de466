// The systemd notify protocol: one datagram of "KEY=VALUE" lines to $NOTIFY_SOCKET
// ('@' = abstract namespace), plus the watchdog interval systemd asks the service to keep.
import CExoShims
import Glibc

/// Sends readiness, status and watchdog pings to systemd (or any listener on the socket).
public struct SystemdNotifier: Sendable {
    /// The notify socket: a filesystem path, or an abstract name starting with `@`.
    public let socketPath: String

    public init(socketPath: String) {
        self.socketPath = socketPath
    }

    /// The notifier for `$NOTIFY_SOCKET`; nil when it is unset or empty (not run by systemd).
    public static func fromEnvironment() -> SystemdNotifier? {
        from(environment: Environment.value)
    }

    static func from(environment: (String) -> String?) -> SystemdNotifier? {
        guard let path = environment("NOTIFY_SOCKET"), !path.isEmpty else { return nil }
        return SystemdNotifier(socketPath: path)
    }

    /// Sends `state` (e.g. "READY=1", "STOPPING=1", "WATCHDOG=1", "STATUS=...") as one
    /// datagram from a fresh CLOEXEC socket that is closed again before returning.
    public func send(_ state: String) throws(SystemError) {
        let address = try UnixSocketAddress(socketPath, operation: "sendto")
        let socket = OwnedDescriptor(
            adopting: try Syscall.retrying("socket") { Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0) })
        let bytes = Array(state.utf8)
        _ = try Syscall.retrying("sendto") {
            bytes.withUnsafeBytes { payload in
                address.withSockaddr { sendto(socket.raw, payload.baseAddress, payload.count, Int32(MSG_NOSIGNAL), $0, $1) }
            }
        }
    }

    /// `$WATCHDOG_USEC` if set and `$WATCHDOG_PID` is unset or equals getpid(); nil otherwise.
    /// Ping ("WATCHDOG=1") at about half this interval.
    public static func watchdogIntervalMicroseconds() -> UInt64? {
        watchdogInterval(environment: Environment.value, pid: getpid())
    }

    static func watchdogInterval(environment: (String) -> String?, pid: Int32) -> UInt64? {
        guard let text = environment("WATCHDOG_USEC"), let interval = UInt64(text), interval > 0 else { return nil }
        if let owner = environment("WATCHDOG_PID"), Int32(owner) != pid { return nil }
        return interval
    }
}

/// Reads the process environment without Foundation.
public enum Environment {
    /// The value of environment variable `name`, if set.
    public static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
