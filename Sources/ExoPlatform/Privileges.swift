// Dropping root for good: supplementary groups, then gid, then uid (the only order that
// works, since changing groups and gids needs the privilege the uid change gives up).
import CExoShims
import Glibc

public enum Privileges {
    /// setgroups(supplementaryGroups), setresgid(gid), setresuid(uid) — in that order, for
    /// all threads (glibc applies set*id process-wide) — then verifies that real, effective
    /// and saved ids all equal the targets and that root cannot be regained. A failed check
    /// throws with operation "verify privilege drop" and EPERM. The supplementary groups are
    /// checked too. Call it before starting threads that would race with the change.
    public static func drop(toUID uid: UInt32, gid: UInt32, supplementaryGroups: [UInt32] = []) throws(SystemError) {
        _ = try supplementaryGroups.withUnsafeBufferPointer { groups throws(SystemError) in
            try Syscall.retrying("setgroups") { setgroups(groups.count, groups.baseAddress) }
        }
        _ = try Syscall.retrying("setresgid") { cexo_setresgid(gid, gid, gid) }
        _ = try Syscall.retrying("setresuid") { cexo_setresuid(uid, uid, uid) }
        try verify(uid: uid, gid: gid, groups: supplementaryGroups)
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
