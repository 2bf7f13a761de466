// Small readers for /proc and /sys files without Foundation: a whole short text file, and
// the number of entries in a directory.
import Glibc

enum ProcFiles {
    /// The contents of a small file (up to `limit` bytes) as UTF-8, or nil if unreadable.
    static func text(_ path: String, limit: Int = 64 * 1024) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        let file = OwnedDescriptor(adopting: fd)
        var bytes = [UInt8](repeating: 0, count: limit)
        var filled = 0
        while filled < limit {
            let count = bytes.withUnsafeMutableBytes { read(file.raw, $0.baseAddress! + filled, limit - filled) }
            if count == 0 { break }
            if count < 0 {
                if Glibc.errno == EINTR { continue }
                return nil
            }
            filled += count
        }
        return String(decoding: bytes[..<filled], as: UTF8.self)
    }

    /// The names in directory `path` other than "." and "..", or nil if it cannot be read.
    static func entries(_ path: String) -> [String]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Names in directory `path` other than "." and ".."; with `excludingOwnDescriptor`, also
    /// leaves out the directory stream's own descriptor (listed when reading /proc/self/fd).
    static func entryCount(_ path: String, excludingOwnDescriptor: Bool) -> Int? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        let own = excludingOwnDescriptor ? String(dirfd(directory)) : nil
        var count = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." || name == own { continue }
            count += 1
        }
        return count
    }
}
