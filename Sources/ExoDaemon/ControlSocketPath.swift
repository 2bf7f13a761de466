// The control socket's place in the file system: refuse a path a live daemon serves, replace
// a stale socket left by a dead one, and never delete anything that is not a socket.

import ExoPlatform
import Glibc

enum ControlSocketPath {
    /// Creates the parent directory if needed (0755, so tenants of other uids can reach the
    /// socket; who may do what is decided by SO_PEERCRED, not by file modes) and listens.
    static func bindControlSocket(_ path: String) throws(DaemonStartError) -> OwnedDescriptor {
        guard path.hasPrefix("/") else { throw DaemonStartError(message: "socket path '\(path)' is not absolute") }
        let parent = String(path[..<path.lastIndex(of: "/")!])
        if !parent.isEmpty { try makeDirectories(parent) }
        var info = stat()
        if lstat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFSOCK else {
                throw DaemonStartError(message: "\(path) exists and is not a socket; refusing to replace it")
            }
            if UnixSeqpacket.isLive(path: path) {
                throw DaemonStartError(message: "\(path) is served by a running exokerneld; stop it first or choose another socket")
            }
            Log.info("replacing stale socket \(path)")
            unlink(path)
        }
        do {
            return try UnixSeqpacket.listen(path: path, mode: 0o666)
        } catch {
            throw DaemonStartError(message: "cannot listen on \(path): \(error)")
        }
    }

    static func remove(_ path: String) {
        var info = stat()
        if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFSOCK { unlink(path) }
    }

    private static func makeDirectories(_ path: String) throws(DaemonStartError) {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw DaemonStartError(message: "cannot create directory \(prefix): \(String(cString: strerror(errno)))")
            }
        }
    }
}
