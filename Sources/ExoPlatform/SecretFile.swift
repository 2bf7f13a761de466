// A 64-bit secret a program keeps in a file of its own across restarts (the key of its TCP
// initial sequence numbers, say): read when the file exists, made from the system's random
// source otherwise.
import Glibc

/// Loads or creates an 8-byte secret file.
public enum SecretFile {
    /// The secret stored at `path`. When no file is there, 8 random bytes are written
    /// to a temporary file (mode 0600) and linked into place, so a concurrent caller sees
    /// either no file or the whole secret, and every caller gets the same one. An existing
    /// file must be a regular file (not a symlink) of exactly 8 bytes, owned by this
    /// process's effective uid and inaccessible to group and others; anything else throws
    /// (`EINVAL` for the size or kind, `EACCES` for the owner or mode) rather than trust a
    /// key someone else could have read or planted.
    public static func loadOrCreate(path: String) throws(SystemError) -> UInt64 {
        if let existing = try load(path) { return existing }
        // The system generator (getrandom on Linux): a key, not a simulation's seed.
        var secret = UInt64.random(in: 0...UInt64.max)
        let temporary = "\(path).\(getpid()).new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .lastError("open \(temporary)") }
        let descriptor = OwnedDescriptor(adopting: fd)
        defer { unlink(temporary) }
        guard write(descriptor.raw, &secret, 8) == 8 else { throw .lastError("write \(temporary)") }
        guard fsync(descriptor.raw) == 0 else { throw .lastError("fsync \(temporary)") }
        if link(temporary, path) != 0 {
            guard Glibc.errno == EEXIST else { throw .lastError("link \(path)") }
            // Another process created it first: its secret is the one.
            guard let existing = try load(path) else { throw SystemError(operation: "open \(path)", errno: ENOENT) }
            return existing
        }
        return secret
    }

    /// The secret at `path`, or nil when there is no file.
    private static func load(_ path: String) throws(SystemError) -> UInt64? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else {
            if Glibc.errno == ENOENT { return nil }
            throw .lastError("open \(path)")
        }
        let descriptor = OwnedDescriptor(adopting: fd)
        var status = stat()
        guard fstat(descriptor.raw, &status) == 0 else { throw .lastError("fstat \(path)") }
        guard status.st_mode & S_IFMT == S_IFREG, status.st_size == 8 else {
            throw SystemError(operation: "secret file \(path) (not a regular 8-byte file)", errno: EINVAL)
        }
        guard status.st_uid == geteuid(), status.st_mode & 0o077 == 0 else {
            throw SystemError(
                operation: "secret file \(path) (not owned by this uid, or open to group or others)", errno: EACCES)
        }
        var secret: UInt64 = 0
        guard pread(descriptor.raw, &secret, 8, 0) == 8 else { throw .lastError("read \(path)") }
        return secret
    }
}
