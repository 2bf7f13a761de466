// Writing whole lines to standard output and error through fds 1 and 2: unbuffered, so a
// script reading a line sees it at once, and safe in Swift 6 (the C `stdout`/`stderr`
// globals are not concurrency-safe).

import Glibc

/// Line output for the command-line tools and the daemon's log.
public enum Console {
    /// Writes `text` and a newline (unless it ends in one) to fd 1 in one `write` where possible.
    public static func out(_ text: String) { writeLine(text, to: 1) }
    /// Writes `text` and a newline (unless it ends in one) to fd 2.
    public static func error(_ text: String) { writeLine(text, to: 2) }

    /// Blocks until standard input reaches end of file (or fails).
    public static func waitForEndOfInput() {
        var scratch = [UInt8](repeating: 0, count: 256)
        while true {
            let n = scratch.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
            if n == 0 || (n < 0 && errno != EINTR) { return }
        }
    }

    /// Writes `bytes` as they are to fd 1 (retrying short writes and EINTR).
    public static func write(_ bytes: [UInt8]) { write(bytes, to: 1) }

    /// Reads up to `maximum` bytes from fd 0, blocking; nil at end of input or on error.
    public static func readInput(maximum: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            return Array(buffer[..<n])
        }
    }

    private static func writeLine(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)
        if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        write(bytes, to: fd)
    }

    private static func write(_ bytes: [UInt8], to fd: Int32) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
