// Reads a small text file whole, with errors that name the file and the errno: the one place
// the configuration code touches the file system.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads whole files of at most a given size into a String.
///
/// Invariant for the `unsafe` buffer use: `read` is given the buffer's own base address and
/// exactly the number of bytes still free in it, and `initializedCount` only counts bytes that
/// `read` reported written; the fd is opened and closed inside `readText`.
enum ConfigFileReader {
    static func readText(path: String, limit: Int) throws(ConfigError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path, "cannot open") }
        defer { close(fd) }

        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure(path, "cannot stat") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw ConfigError(file: path, key: nil, message: "not a regular file")
        }

        // One byte of room past the limit tells an oversized file (even one still growing)
        // from one exactly at it.
        var readError: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: limit + 1) { buffer, initializedCount in
            initializedCount = 0
            while initializedCount < buffer.count {
                let n = read(fd, buffer.baseAddress! + initializedCount, buffer.count - initializedCount)
                if n == 0 { break }
                if n < 0 {
                    if errno == EINTR { continue }
                    readError = errno
                    break
                }
                initializedCount += n
            }
        }
        if readError != 0 { throw failure(path, "cannot read", errno: readError) }
        guard bytes.count <= limit else {
            throw ConfigError(file: path, key: nil, message: "larger than \(limit) bytes; not a configuration file")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(file: path, key: nil, message: "not valid UTF-8")
        }
        return text
    }

    private static func failure(_ path: String, _ what: String, errno code: Int32 = errno) -> ConfigError {
        ConfigError(file: path, key: nil, message: "\(what): \(String(cString: strerror(code))) (errno \(code))")
    }
}
