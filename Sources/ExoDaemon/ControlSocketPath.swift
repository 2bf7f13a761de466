// The control socket's place in the file system: refuse a path a live daemon serves, replace
// a stale socket left by a dead one, and never delete anything that is not a socket.

import ExoPlatform

enum ControlSocketPath {
    /// Creates the parent directory if needed (0755, so tenants of other uids can reach the
    /// socket; who may do what is decided by SO_PEERCRED, not by file modes) and listens.
    static func bindControlSocket(_ path: String) throws(DaemonStartError) -> OwnedDescriptor {
        guard path.hasPrefix("/") else { throw DaemonStartError(message: "socket path '\(path)' is not absolute") }
        let parent = String(path[..<path.lastIndex(of: "/")!])
        if !parent.isEmpty {
            do { try SocketFile.makeDirectories(parent, mode: 0o755) } catch {
                throw DaemonStartError(message: "cannot create directory: \(error)")
            }
        }
        switch SocketFile.existing(at: path) {
        case .nothing: break
        case .other: throw DaemonStartError(message: "\(path) exists and is not a socket; refusing to replace it")
        case .socket:
            if UnixSeqpacket.isLive(path: path) {
                throw DaemonStartError(message: "\(path) is served by a running exokerneld; stop it first or choose another socket")
            }
            Log.info("replacing stale socket \(path)")
            SocketFile.remove(at: path)
        }
        do {
            return try UnixSeqpacket.listen(path: path, mode: 0o666)
        } catch {
            throw DaemonStartError(message: "cannot listen on \(path): \(error)")
        }
    }

    static func remove(_ path: String) {
        SocketFile.remove(at: path)
    }
}
