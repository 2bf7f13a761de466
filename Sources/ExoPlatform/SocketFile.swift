// The file-system side of a Unix socket's path: what is there now, removing a socket file,
// and creating the directories above it.
import Glibc

/// What a socket path names in the file system.
public enum SocketFile {
    public enum Existing: Equatable, Sendable {
        /// Nothing (or nothing lstat can see).
        case nothing
        /// A socket file (live or stale).
        case socket
        /// Anything else: never to be replaced.
        case other
    }

    /// What is at `path` (lstat: a symbolic link is `other`, not what it points at).
    public static func existing(at path: String) -> Existing {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .nothing }
        return (info.st_mode & S_IFMT) == S_IFSOCK ? .socket : .other
    }

    /// Removes the socket file at `path`; anything else there is left alone.
    public static func remove(at path: String) {
        if existing(at: path) == .socket { unlink(path) }
    }

    /// Creates each missing directory of the absolute `path` with `mode` (existing ones are kept).
    public static func makeDirectories(_ path: String, mode: UInt32) throws(SystemError) {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, mode) != 0 && errno != EEXIST { throw SystemError(operation: "mkdir \(prefix)", errno: errno) }
        }
    }
}
