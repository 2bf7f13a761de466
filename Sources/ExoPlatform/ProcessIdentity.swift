// Facts about this process and the host's user database that the daemon reads once at
// start-up: its pid and uid, an operator group's gid, and the process-wide signal
// disposition it needs (a peer that hangs up must not kill the daemon with SIGPIPE).
import Glibc

/// This process's identity, and look-ups in the host's group database.
public enum ProcessIdentity {
    public static var pid: UInt32 { UInt32(bitPattern: getpid()) }

    /// The real uid (the daemon's own uid may use exoctl like root).
    public static var uid: UInt32 { getuid() }

    /// The gid of the group called `name`, or nil when no such group exists.
    public static func groupID(named name: String) -> UInt32? {
        // getgrnam_r: the result lives in our buffer, not in libc's static storage; a group
        // with many members needs a larger one (ERANGE), up to a megabyte.
        var size = 16_384
        while size <= 1 << 20 {
            var entry = group()
            var result: UnsafeMutablePointer<group>?
            var buffer = [CChar](repeating: 0, count: size)
            let status = getgrnam_r(name, &entry, &buffer, buffer.count, &result)
            if status == ERANGE {
                size *= 2
                continue
            }
            guard status == 0, result != nil else { return nil }
            return entry.gr_gid
        }
        return nil
    }

    /// Makes writes to a peer that hung up fail with EPIPE instead of killing the process.
    public static func ignoreBrokenPipe() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Gives the CPU to another runnable thread, if any (sched_yield).
    public static func yieldProcessor() {
        sched_yield()
    }
}
