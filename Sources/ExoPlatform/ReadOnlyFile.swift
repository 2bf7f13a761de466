// A file opened for reading at offsets (what a file server streams from), and `realpath`:
// the syscalls of serving files, so that applications need none of their own.
import Glibc

/// One file opened read-only; its descriptor is closed when this is released. The kind and
/// size are those at opening (fstat on the open descriptor, so they describe what is read).
public final class ReadOnlyFile: Sendable {
    public enum Kind: Sendable, Equatable { case regular, directory, other }

    private let descriptor: OwnedDescriptor
    public let kind: Kind
    public let size: Int

    /// Opens `path` without following a symlink in its last component and without blocking
    /// on a FIFO (a caller who resolved the path already gets exactly what it checked).
    public init(path: String) throws(SystemError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { throw SystemError.lastError("open") }
        descriptor = OwnedDescriptor(adopting: fd)
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw SystemError.lastError("fstat") }
        switch status.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        default: kind = .other
        }
        size = Int(status.st_size)
    }

    /// Up to `maximumLength` bytes from `offset` (fewer only at the end of the file; empty
    /// there). Blocks the calling thread for the read (page cache or disk).
    public func read(at offset: Int, maximumLength: Int) throws(SystemError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: max(maximumLength, 0))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                pread(descriptor.raw, buffer.baseAddress! + filled, buffer.count - filled, off_t(offset + filled))
            }
            if count == 0 { break }
            if count < 0 {
                if Glibc.errno == EINTR { continue }
                throw SystemError.lastError("pread")
            }
            filled += count
        }
        bytes.removeSubrange(filled...)
        return bytes
    }

    /// `path` with every symlink, `.` and `..` resolved (realpath(3)); throws when a
    /// component does not exist or cannot be searched.
    public static func resolvedPath(_ path: String) throws(SystemError) -> String {
        guard let resolved = realpath(path, nil) else { throw SystemError.lastError("realpath") }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
