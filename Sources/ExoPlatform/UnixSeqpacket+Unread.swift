// How much of what was sent on a Unix socket its peer has not read yet (SIOCOUTQ), so the
// daemon knows when the descriptors it sent have all been received.

import CExoShims
import Glibc

extension UnixSeqpacket {
    /// `SIOCOUTQ` (`TIOCOUTQ`, asm-generic 0x5411): on a Unix socket, the bytes of sent records
    /// the peer has not received yet (their descriptors still in flight).
    static let outputQueueRequest: UInt = 0x5411

    /// Bytes sent on `fd` that its peer has not read; 0 when everything sent was received.
    public static func unreadBytes(_ fd: Int32) throws(SystemError) -> Int {
        var bytes: Int32 = 0
        guard cexo_ioctl_pointer(fd, outputQueueRequest, &bytes) == 0 else {
            throw SystemError(operation: "ioctl(SIOCOUTQ)", errno: errno)
        }
        return Int(bytes)
    }
}
