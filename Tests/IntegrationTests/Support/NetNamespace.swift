// Runs a little code inside a named network namespace: on a thread of its own that enters the
// namespace with setns(2) and then ends, so no other thread ever changes namespace.

import Foundation
import Glibc

/// A network namespace made with `ip netns add NAME` (a bind mount under /var/run/netns).
/// Value type: it names the namespace and owns nothing (`VethNet` creates and removes it).
struct NetNamespace: Sendable {
    let name: String

    /// `CLONE_NEWNET` (sched.h): a macro Swift does not import.
    private static let cloneNewNet: Int32 = 0x4000_0000

    /// setns(2), looked up at run time: Glibc declares it only under _GNU_SOURCE, which the
    /// Swift Glibc module does not define, and the tests must not add C code to Sources.
    private typealias SetNS = @convention(c) (Int32, Int32) -> Int32
    private static let setns: SetNS? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns") else { return nil }
        return unsafeBitCast(symbol, to: SetNS.self)
    }()

    /// Runs `body` on a new thread that has entered this namespace, and returns its result.
    /// Sockets `body` creates stay in this namespace for life, whichever thread uses them
    /// later. The thread ends right after `body`, taking its namespace membership with it.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let outcome = Outcome<T>()
        let path = "/var/run/netns/" + name
        let thread = Thread {
            defer { outcome.done.signal() }
            guard let setns = Self.setns else {
                outcome.result = .failure(HarnessError("setns is not available"))
                return
            }
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                outcome.result = .failure(HarnessError("open \(path): errno \(errno)"))
                return
            }
            defer { close(fd) }
            guard setns(fd, Self.cloneNewNet) == 0 else {
                outcome.result = .failure(HarnessError("setns \(path): errno \(errno)"))
                return
            }
            outcome.result = Result { try body() }
        }
        thread.start()
        outcome.done.wait()
        return try outcome.result.get()
    }

    /// `ip netns exec NAME path arguments…` to completion (`runCommand`'s timeout rules).
    func command(_ path: String, _ arguments: [String], timeout: TimeInterval = 20) throws -> CommandResult {
        try runCommand("/usr/sbin/ip", ["netns", "exec", name, path] + arguments, timeout: timeout)
    }
}

/// The result of `NetNamespace.run`'s thread: written by that thread before it signals
/// `done`, read by the caller only after waiting on it (the semaphore orders the two).
private final class Outcome<T: Sendable>: @unchecked Sendable {
    let done = DispatchSemaphore(value: 0)
    var result: Result<T, any Error> = .failure(HarnessError("namespace thread never ran"))
}
