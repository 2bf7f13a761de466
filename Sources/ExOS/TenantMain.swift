// The entry point of a tenant application that starts as root and runs as its tenant's uid:
// drop privileges while the process has one thread, then start the async world.

import ExoPlatform
import Glibc

/// How a library-OS application becomes its tenant and runs.
public enum TenantMain {
    /// Call from a synchronous `main`, before anything has started a thread. If `identity`
    /// is given, drops to it for good (`Privileges.drop`, which checks every thread of the
    /// process) and exits with `ToolExitStatus.notPermitted` if that fails; then runs `body`
    /// on the cooperative thread pool and exits the process with the status it returns.
    /// Never returns.
    ///
    /// Why not drop in an async `main`: by the time async code runs, the main thread may have
    /// handed its work to the pool and exited. glibc's set*id reaches only live threads, so the
    /// exited main thread — the thread-group leader, whose ids `/proc/PID` ownership and signal
    /// permissions go by — would keep uid 0 and every capability.
    public static func run(
        name: String, droppingTo identity: (uid: UInt32, gid: UInt32)?,
        _ body: @escaping @Sendable () async -> ToolExitStatus
    ) -> Never {
        run(name: name, droppingTo: identity, exitStatus: { await body().rawValue })
    }

    /// Like `run(name:droppingTo:_:)` for a tool with exit statuses of its own (ping's 0, 1
    /// and 2, say): `exitStatus` returns the process's status.
    public static func run(
        name: String, droppingTo identity: (uid: UInt32, gid: UInt32)?,
        exitStatus: @escaping @Sendable () async -> Int32
    ) -> Never {
        if let identity {
            do {
                try Privileges.drop(toUID: identity.uid, gid: identity.gid)
            } catch {
                Console.error("\(name): cannot become uid \(identity.uid) gid \(identity.gid): \(error)")
                exit(ToolExitStatus.notPermitted.rawValue)
            }
        }
        Task.detached { exit(await exitStatus()) }
        // The main thread stays alive, asleep, with the dropped ids; `exit` above ends it all.
        while true { pause() }
    }

    /// The primary group of `uid` from the password database, or `uid` itself.
    public static func primaryGroup(of uid: UInt32) -> UInt32 {
        getpwuid(uid).map { $0.pointee.pw_gid } ?? uid
    }
}
