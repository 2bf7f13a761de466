// Dropping root for good: supplementary groups, then gid, then uid (the only order that
// works, since changing groups and gids needs the privilege the uid change gives up), then a
// check of every thread of the process, which is what the kernel actually enforces.
import CExoShims
import Glibc

/// Why a privilege drop failed. Either way the process must not go on.
public enum PrivilegeDropError: Error, Equatable, CustomStringConvertible {
    /// A set*id or get*id call failed, or the calling thread's ids are not the targets.
    case system(SystemError)
    /// A thread of the process still runs with other ids or with capabilities. glibc applies
    /// set*id to every live thread, but not to one that already exited: an async `main` whose
    /// main thread has gone (the thread-group leader, whose ids /proc/PID and signal
    /// permissions go by) keeps root there. Drop in a synchronous entry point instead.
    case threadKeptPrivileges(thread: Int32, ThreadCredentials)
    /// /proc/self/task could not be read, so the drop cannot be verified.
    case unverifiable(String)

    public var description: String {
        switch self {
        case .system(let error): "\(error)"
        case .threadKeptPrivileges(let thread, let credentials):
            "thread \(thread) kept privileges after the drop (\(credentials.summary)); drop before any thread starts"
        case .unverifiable(let reason): "cannot verify the privilege drop: \(reason)"
        }
    }
}

public enum Privileges {
    /// setgroups(supplementaryGroups), setresgid(gid), setresuid(uid) — in that order, for
    /// all threads (glibc applies set*id process-wide) — then verifies that real, effective
    /// and saved ids all equal the targets, that root cannot be regained, and that **every
    /// thread** of the process (/proc/self/task/*/status) has exactly these uids and gids and
    /// no effective capability. Call it from a synchronous entry point before anything starts
    /// a thread (ExOS's `TenantMain.run` does); a failure is loud, never partial success.
    public static func drop(toUID uid: UInt32, gid: UInt32, supplementaryGroups: [UInt32] = []) throws(PrivilegeDropError) {
        do throws(SystemError) {
            _ = try supplementaryGroups.withUnsafeBufferPointer { groups throws(SystemError) in
                try Syscall.retrying("setgroups") { setgroups(groups.count, groups.baseAddress) }
            }
            _ = try Syscall.retrying("setresgid") { cexo_setresgid(gid, gid, gid) }
            _ = try Syscall.retrying("setresuid") { cexo_setresuid(uid, uid, uid) }
            try verify(uid: uid, gid: gid, groups: supplementaryGroups)
        } catch {
            throw .system(error)
        }
        try verifyEveryThread(uid: uid, gid: gid)
    }

    /// Checks every thread of this process, as the kernel sees it. Throws for the first
    /// thread whose uids or gids differ from the targets or that has an effective capability.
    public static func verifyEveryThread(uid: UInt32, gid: UInt32) throws(PrivilegeDropError) {
        guard let threads = ProcFiles.entries("/proc/self/task"), !threads.isEmpty else {
            throw .unverifiable("/proc/self/task is not readable")
        }
        for name in threads {
            guard let thread = Int32(name) else { continue }
            // A thread that ended since the listing has no status left: nothing to check.
            guard let text = ProcFiles.text("/proc/self/task/\(name)/status") else { continue }
            guard let credentials = ThreadCredentials(status: text) else {
                throw .unverifiable("/proc/self/task/\(name)/status has no Uid/Gid/CapEff lines")
            }
            guard credentials.isDropped(toUID: uid, gid: gid) else {
                throw .threadKeptPrivileges(thread: thread, credentials)
            }
        }
    }

    private static func verify(uid: UInt32, gid: UInt32, groups: [UInt32]) throws(SystemError) {
        let failed = SystemError(operation: "verify privilege drop", errno: EPERM)
        var (ruid, euid, suid): (UInt32, UInt32, UInt32) = (0, 0, 0)
        var (rgid, egid, sgid): (UInt32, UInt32, UInt32) = (0, 0, 0)
        _ = try Syscall.retrying("getresuid") { cexo_getresuid(&ruid, &euid, &suid) }
        _ = try Syscall.retrying("getresgid") { cexo_getresgid(&rgid, &egid, &sgid) }
        guard ruid == uid, euid == uid, suid == uid, rgid == gid, egid == gid, sgid == gid else { throw failed }
        guard Set(try currentGroups()) == Set(groups) else { throw failed }
        // Dropping to root is no drop; for any other uid, regaining root must now fail.
        if uid != 0 && cexo_setresuid(0, 0, 0) == 0 { throw failed }
    }

    private static func currentGroups() throws(SystemError) -> [UInt32] {
        let count = try Syscall.retrying("getgroups") { getgroups(0, nil) }
        var groups = [gid_t](repeating: 0, count: Int(count))
        let filled = try Syscall.retrying("getgroups") { getgroups(count, &groups) }
        return Array(groups.prefix(Int(filled)))
    }
}
