// Retry-on-EINTR helpers shared by every wrapper: one place that turns a -1 return into a
// SystemError with the errno of that very call.
import Glibc

enum Syscall {
    /// Runs `call` until it does not fail with EINTR; throws on any other -1.
    @inline(__always)
    static func retrying<T: FixedWidthInteger>(_ operation: String, _ call: () -> T) throws(SystemError) -> T {
        while true {
            let result = call()
            if result != -1 { return result }
            let error = Glibc.errno
            if error != EINTR { throw SystemError(operation: operation, errno: error) }
        }
    }

    /// Like `retrying`, but returns nil when the call failed with EAGAIN/EWOULDBLOCK.
    @inline(__always)
    static func retryingUnlessWouldBlock<T: FixedWidthInteger>(
        _ operation: String, _ call: () -> T
    ) throws(SystemError) -> T? {
        while true {
            let result = call()
            if result != -1 { return result }
            let error = Glibc.errno
            if error == EAGAIN || error == EWOULDBLOCK { return nil }
            if error != EINTR { throw SystemError(operation: operation, errno: error) }
        }
    }
}
