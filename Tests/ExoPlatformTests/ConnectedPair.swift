// A real listener, client and accepted server connection on a temporary socket path: the
// fixture for record, credential and epoll tests (no socketpair).
import ExoPlatform
import Glibc

final class ConnectedPair {
    let directory: TemporaryDirectory
    let path: String
    let listener: OwnedDescriptor
    let client: OwnedDescriptor
    let server: OwnedDescriptor

    init() throws {
        directory = try TemporaryDirectory()
        path = directory.file("control.sock")
        listener = try UnixSeqpacket.listen(path: path)
        client = try UnixSeqpacket.connect(path: path)
        guard let accepted = try UnixSeqpacket.accept(listener.raw) else { throw SystemError(operation: "accept", errno: EAGAIN) }
        server = accepted
    }
}

/// Whether `fd` has FD_CLOEXEC set.
func isCloseOnExec(_ fd: Int32) -> Bool {
    let flags = fcntl(fd, F_GETFD)
    return flags >= 0 && flags & FD_CLOEXEC != 0
}

/// The (device, inode) pair naming the file behind `fd`, to tell whether two fds share it.
func fileIdentity(_ fd: Int32) -> (UInt64, UInt64)? {
    var status = stat()
    guard fstat(fd, &status) == 0 else { return nil }
    return (UInt64(status.st_dev), UInt64(status.st_ino))
}

/// A pipe whose ends are owned; the read end is non-blocking so tests never hang on it.
struct Pipe {
    let readEnd: OwnedDescriptor
    let writeEnd: OwnedDescriptor

    init() throws {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw SystemError(operation: "pipe", errno: errno) }
        readEnd = OwnedDescriptor(adopting: ends[0])
        writeEnd = OwnedDescriptor(adopting: ends[1])
        guard fcntl(ends[0], F_SETFL, O_NONBLOCK) == 0 else { throw SystemError(operation: "fcntl", errno: errno) }
    }

    /// read() on the read end: bytes read, 0 at end of file (no writer left), -1 with EAGAIN
    /// while a writer is still open and nothing is buffered.
    func readResult() -> Int {
        var byte: UInt8 = 0
        return read(readEnd.raw, &byte, 1)
    }
}
