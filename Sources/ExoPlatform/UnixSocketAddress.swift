// A filled-in sockaddr_un for a filesystem path or an abstract name ('@' prefix), with the
// exact address length the kernel expects for each; used by bind, connect and sendto.
import Glibc

/// A Unix socket address. Paths are NUL-terminated within `sun_path` (at most 107 bytes);
/// abstract names (given with a leading `@`) start with a NUL byte and are not terminated.
struct UnixSocketAddress {
    private var storage = sockaddr_un()
    private let length: socklen_t

    /// Longest filesystem path that fits `sun_path` with its terminating NUL.
    static let maximumPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    /// Fails with ENAMETOOLONG when the name does not fit, EINVAL when it is empty or a path
    /// contains a NUL byte.
    init(_ name: String, operation: String) throws(SystemError) {
        var bytes = Array(name.utf8)
        let isAbstract = bytes.first == UInt8(ascii: "@")
        if isAbstract { bytes[0] = 0 }
        let capacity = isAbstract ? Self.maximumPathBytes + 1 : Self.maximumPathBytes
        guard bytes.count <= capacity else { throw SystemError(operation: operation, errno: ENAMETOOLONG) }
        guard !bytes.isEmpty, isAbstract || !bytes.contains(0) else {
            throw SystemError(operation: operation, errno: EINVAL)
        }
        storage.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &storage.sun_path) { path in
            path.copyBytes(from: bytes)  // the rest of sun_path is already zero: the path's NUL
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        length = socklen_t(pathOffset + bytes.count + (isAbstract ? 0 : 1))
    }

    /// Calls `body` with the address as a `sockaddr` pointer valid only during the call.
    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }
}
