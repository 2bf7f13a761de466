// Writing whole lines to standard output and error through fds 1 and 2 (unbuffered, so a
// script reading the token line sees it before the demo blocks in --hold).

import Glibc

enum Console {
    static func out(_ text: String) { write(text, to: 1) }
    static func error(_ text: String) { write(text, to: 2) }

    private static func write(_ text: String, to fd: Int32) {
        let bytes = Array((text + "\n").utf8)
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

    /// Blocks until standard input reaches end of file (or fails).
    static func waitForEndOfInput() {
        var scratch = [UInt8](repeating: 0, count: 256)
        while true {
            let n = scratch.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
            if n == 0 || (n < 0 && errno != EINTR) { return }
        }
    }
}
