// The one error type of ExoPlatform: which syscall failed and the errno it left.
// Built right after the failing call, so errno is never read stale.
import CExoShims
import Glibc

/// An errno-carrying failure of one syscall.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The call that failed, e.g. `"connect"`.
    public let operation: String
    /// The errno value it set (or that ExoPlatform chose, e.g. `ENAMETOOLONG` for a long path).
    public let errno: Int32

    public init(operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }

    /// Captures the calling thread's current errno; call it immediately after the failure.
    static func lastError(_ operation: String) -> SystemError {
        SystemError(operation: operation, errno: Glibc.errno)
    }

    /// E.g. `connect: No such file or directory (errno 2)`.
    public var description: String {
        let text = cexo_strerror(errno).map { String(cString: $0) } ?? "Unknown error"
        return "\(operation): \(text) (errno \(errno))"
    }
}

extension SystemError {
    /// EMFILE or ENFILE: the process or the system is out of file descriptors.
    public var isOutOfDescriptors: Bool { errno == EMFILE || errno == ENFILE }

    /// ECONNABORTED or EINTR: an accept that failed for this connection only; accept again.
    public var isTransientAcceptFailure: Bool { errno == ECONNABORTED || errno == EINTR }
}
