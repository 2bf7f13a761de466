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

    private static func writeLine(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)
        if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
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
