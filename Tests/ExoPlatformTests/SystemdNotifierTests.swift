// Specification of the systemd notify protocol against a real AF_UNIX datagram socket this
// test binds (filesystem path and abstract name), and of the environment rules.
@testable import ExoPlatform
import Glibc
import Testing

/// A bound SOCK_DGRAM socket standing in for systemd's notify socket.
private final class NotifyListener {
    let socket: OwnedDescriptor

    init(name: String) throws {
        socket = OwnedDescriptor(adopting: Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0))
        let address = try UnixSocketAddress(name, operation: "bind")
        let bound = address.withSockaddr { bind(socket.raw, $0, $1) }
        if bound != 0 { throw SystemError(operation: "bind", errno: errno) }
    }

    /// The next datagram as text, waiting at most one second.
    func receive() -> String? {
        var request = pollfd(fd: socket.raw, events: Int16(POLLIN), revents: 0)
        guard poll(&request, 1, 1000) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = recv(socket.raw, &buffer, buffer.count, 0)
        return count < 0 ? nil : String(decoding: buffer[..<count], as: UTF8.self)
    }
}

@Suite struct SystemdNotifierTests {
    @Test func readyIsDeliveredToAFilesystemSocket() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("notify")
        let listener = try NotifyListener(name: path)
        try SystemdNotifier(socketPath: path).send("READY=1")
        #expect(listener.receive() == "READY=1")
    }

    @Test func anAtSignNamesAnAbstractSocket() throws {
        let name = "@exoplatform-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let listener = try NotifyListener(name: name)
        let notifier = SystemdNotifier(socketPath: name)
        try notifier.send("STATUS=serving 3 tenants\nWATCHDOG=1")
        #expect(listener.receive() == "STATUS=serving 3 tenants\nWATCHDOG=1")
    }

    @Test func sendingWithNoListenerFails() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: SystemError(operation: "sendto", errno: ENOENT)) {
            try SystemdNotifier(socketPath: directory.file("absent")).send("READY=1")
        }
    }

    @Test func theNotifierComesFromNOTIFY_SOCKETAndIsNilWithoutIt() {
        #expect(SystemdNotifier.from(environment: { $0 == "NOTIFY_SOCKET" ? "/run/systemd/notify" : nil })?.socketPath == "/run/systemd/notify")
        #expect(SystemdNotifier.from(environment: { _ in nil }) == nil)
        #expect(SystemdNotifier.from(environment: { _ in "" }) == nil)
    }

    @Test func theWatchdogIntervalAppliesOnlyToTheNamedProcess() {
        let environment: (String?) -> ((String) -> String?) = { pid in
            { name in name == "WATCHDOG_USEC" ? "30000000" : name == "WATCHDOG_PID" ? pid : nil }
        }
        #expect(SystemdNotifier.watchdogInterval(environment: environment(nil), pid: 42) == 30_000_000)
        #expect(SystemdNotifier.watchdogInterval(environment: environment("42"), pid: 42) == 30_000_000)
        #expect(SystemdNotifier.watchdogInterval(environment: environment("43"), pid: 42) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: { _ in nil }, pid: 42) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: { _ in "soon" }, pid: 42) == nil)
    }
}
