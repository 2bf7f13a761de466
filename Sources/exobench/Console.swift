// Writing to standard output and standard error through the descriptors themselves
// (the C `stdout`/`stderr` globals are not concurrency-safe in Swift 6).

import Glibc

enum Console {
    /// Writes `text` whole to fd 1.
    static func out(_ text: String) { write(text, to: 1) }
    /// Writes `text` whole to fd 2.
    static func error(_ text: String) { write(text, to: 2) }

    private static func write(_ text: String, to fd: Int32) {
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
