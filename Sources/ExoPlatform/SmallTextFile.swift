// Reads a small regular file whole (a configuration file, a /proc setting), bounded, with
// errors that say which step failed and the errno: the configuration code's one file read.
import Glibc

/// Why a small file could not be read whole.
public enum SmallFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `open`, `fstat` or `read` failed (the error names the call and the errno).
    case cannotOpen(SystemError)
    case cannotStat(SystemError)
    case cannotRead(SystemError)
    /// A directory, device, FIFO or socket.
    case notRegular
    /// More than `limit` bytes (read so far: a growing file is caught too).
    case tooLarge(limit: Int)
    case notUTF8

    /// E.g. `cannot open: No such file or directory (errno 2)`.
    public var description: String {
        switch self {
        case .cannotOpen(let e): "cannot open: \(e.reason)"
        case .cannotStat(let e): "cannot stat: \(e.reason)"
        case .cannotRead(let e): "cannot read: \(e.reason)"
        case .notRegular: "not a regular file"
        case .tooLarge(let limit): "larger than \(limit) bytes"
        case .notUTF8: "not valid UTF-8"
        }
    }
}

public enum SmallTextFile {
    /// The whole of the regular file at `path`, at most `limit` bytes, as UTF-8 text.
    ///
    /// Invariant for the unsafe buffer use: `read` is given the buffer's own base address
    /// and exactly the bytes still free in it, and `initializedCount` counts only bytes
    /// `read` reported written.
    public static func read(path: String, limit: Int) throws(SmallFileError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(.lastError("open")) }
        let file = OwnedDescriptor(adopting: fd)
        var info = stat()
        guard fstat(file.raw, &info) == 0 else { throw .cannotStat(.lastError("fstat")) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .notRegular }
        // One byte of room past the limit tells an oversized file (even one still growing)
        // from one exactly at it.
        var readError: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: limit + 1) { buffer, initializedCount in
            initializedCount = 0
            while initializedCount < buffer.count {
                let n = Glibc.read(file.raw, buffer.baseAddress! + initializedCount, buffer.count - initializedCount)
                if n == 0 { break }
                if n < 0 {
                    if errno == EINTR { continue }
                    readError = errno
                    break
                }
                initializedCount += n
            }
        }
        if readError != 0 { throw .cannotRead(SystemError(operation: "read", errno: readError)) }
        guard bytes.count <= limit else { throw .tooLarge(limit: limit) }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notUTF8 }
        return text
    }
}

extension SystemError {
    /// The errno's text and number without the call's name: `No such file or directory (errno 2)`.
    public var reason: String {
        let full = description
        let prefix = operation + ": "
        return full.hasPrefix(prefix) ? String(full.dropFirst(prefix.count)) : full
    }
}
