// Connection management for the SOCK_SEQPACKET control socket: the daemon's non-blocking
// listener and accept, the client's blocking connect, and a liveness probe for start-up.
import CExoShims
import Glibc

/// The control socket: AF_UNIX, SOCK_SEQPACKET (records with boundaries), every fd CLOEXEC.
public enum UnixSeqpacket {
    private static let seqpacket = Int32(SOCK_SEQPACKET.rawValue)
    private static let cloexec = Int32(SOCK_CLOEXEC.rawValue)
    private static let nonblocking = Int32(SOCK_NONBLOCK.rawValue)

    /// socket(AF_UNIX, SOCK_SEQPACKET|NONBLOCK|CLOEXEC), bind, chmod(mode), listen.
    /// A path over 107 bytes throws SystemError(ENAMETOOLONG). An existing file at `path`
    /// fails with EADDRINUSE: the caller decides (with `isLive`) whether to unlink it.
    /// The caller owns the returned listener and unlinks `path` when done.
    public static func listen(path: String, mode: mode_t = 0o666, backlog: Int32 = 128) throws(SystemError) -> OwnedDescriptor {
        let address = try UnixSocketAddress(path, operation: "bind")
        let socket = try Syscall.retrying("socket") { Glibc.socket(AF_UNIX, seqpacket | nonblocking | cloexec, 0) }
        let listener = OwnedDescriptor(adopting: socket)
        _ = try Syscall.retrying("bind") { address.withSockaddr { Glibc.bind(socket, $0, $1) } }
        // Before listen(), nobody can connect, so the mode is in force before the first peer.
        _ = try Syscall.retrying("chmod") { chmod(path, mode) }
        _ = try Syscall.retrying("listen") { Glibc.listen(socket, backlog) }
        return listener
    }

    /// accept4 with NONBLOCK|CLOEXEC. Returns nil when no connection is pending (EAGAIN).
    /// Throws on EMFILE, ENFILE and other failures; the caller decides what to do (EMFILE
    /// leaves the connection queued, so the listener stays readable).
    /// The caller owns the returned connection.
    public static func accept(_ listener: Int32) throws(SystemError) -> OwnedDescriptor? {
        let fd = try Syscall.retryingUnlessWouldBlock("accept4") { cexo_accept_nonblocking(listener) }
        return fd.map { OwnedDescriptor(adopting: $0) }
    }

    /// A blocking client connection (CLOEXEC) to the listener at `path`.
    /// The caller owns the returned socket.
    public static func connect(path: String) throws(SystemError) -> OwnedDescriptor {
        let address = try UnixSocketAddress(path, operation: "connect")
        let socket = try Syscall.retrying("socket") { Glibc.socket(AF_UNIX, seqpacket | cloexec, 0) }
        let connection = OwnedDescriptor(adopting: socket)
        while address.withSockaddr({ Glibc.connect(socket, $0, $1) }) != 0 {
            let error = Glibc.errno
            if error == EISCONN { break }  // an interrupted connect that completed meanwhile
            if error != EINTR { throw SystemError(operation: "connect", errno: error) }
        }
        return connection
    }

    /// Whether a live listener is accepting at `path` (a connect succeeds, or would block on
    /// a full backlog). False for a missing path, a stale socket file (ECONNREFUSED) or any
    /// other failure. Used to refuse to start on a live daemon's socket and replace a stale one.
    public static func isLive(path: String) -> Bool {
        guard let address = try? UnixSocketAddress(path, operation: "connect"),
            let socket = try? Syscall.retrying("socket", { Glibc.socket(AF_UNIX, seqpacket | nonblocking | cloexec, 0) })
        else { return false }
        let probe = OwnedDescriptor(adopting: socket)
        defer { probe.close() }
        while address.withSockaddr({ Glibc.connect(socket, $0, $1) }) != 0 {
            let error = Glibc.errno
            if error == EINTR { continue }
            return error == EAGAIN || error == EINPROGRESS || error == EISCONN
        }
        return true
    }
}

extension UnixSeqpacket {
    /// Two connected SOCK_SEQPACKET ends (socketpair, CLOEXEC), the first non-blocking as the
    /// daemon's side of a connection is: for tests that play a peer in-process.
    public static func pair() throws(SystemError) -> (daemonSide: OwnedDescriptor, peerSide: OwnedDescriptor) {
        var fds: [Int32] = [-1, -1]
        _ = try Syscall.retrying("socketpair") { socketpair(AF_UNIX, seqpacket | cloexec, 0, &fds) }
        let daemonSide = OwnedDescriptor(adopting: fds[0])
        let peerSide = OwnedDescriptor(adopting: fds[1])
        let flags = fcntl(fds[0], F_GETFL)
        _ = try Syscall.retrying("fcntl(F_SETFL)") { fcntl(fds[0], F_SETFL, flags | O_NONBLOCK) }
        return (daemonSide, peerSide)
    }
}
