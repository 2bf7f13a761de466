// Who is on the other end of a connected Unix socket, as the kernel recorded it at
// connect time: SO_PEERCRED (pid, uid, gid) and SO_PEERGROUPS (supplementary groups).
import CExoShims
import Glibc

/// A peer's identity as recorded by the kernel when it connected (not when asked).
public struct PeerCredentials: Sendable, Equatable {
    public let pid: Int32
    public let uid: UInt32
    public let gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }
}

public enum PeerIdentity {
    /// SO_PEERCRED of the connected Unix socket `fd` (borrowed, not closed).
    public static func credentials(of fd: Int32) throws(SystemError) -> PeerCredentials {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
        _ = try Syscall.retrying("getsockopt(SO_PEERCRED)") { cexo_peer_credentials(fd, &pid, &uid, &gid) }
        return PeerCredentials(pid: pid, uid: uid, gid: gid)
    }

    /// SO_PEERGROUPS of the connected Unix socket `fd` (borrowed): the peer's supplementary
    /// groups, retried with the size the kernel asks for when the first buffer is too small.
    public static func groups(of fd: Int32) throws(SystemError) -> [UInt32] {
        var capacity = 64
        while true {
            var count = UInt32(capacity)
            var groups = [UInt32](repeating: 0, count: capacity)
            let result = groups.withUnsafeMutableBufferPointer { cexo_peer_groups(fd, $0.baseAddress, &count) }
            if result == 0 { return Array(groups.prefix(Int(count))) }
            let error = Glibc.errno
            switch error {
            case EINTR: continue
            case ERANGE: capacity = max(Int(count), capacity * 2)
            default: throw SystemError(operation: "getsockopt(SO_PEERGROUPS)", errno: error)
            }
        }
    }
}
