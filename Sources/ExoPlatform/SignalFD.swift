// Signals as readable records instead of asynchronous handlers, so SIGTERM and SIGHUP
// are handled in the reactor loop like any other event.
import CExoShims
import Glibc

/// A signalfd (SFD_NONBLOCK|SFD_CLOEXEC) for a set of signals. Owns its descriptor.
///
/// The signals are blocked in the calling thread first (pthread_sigmask), so create this on
/// the main thread before any other thread starts: threads inherit the mask, and a signal
/// unblocked in some thread would be delivered there instead of queued for the signalfd.
/// The mask is left blocked when this object goes away.
public final class SignalFD: Sendable {
    private let descriptor: OwnedDescriptor

    /// The signalfd's descriptor, owned by this object.
    public var fd: Int32 { descriptor.raw }

    public init(signals: [Int32]) throws(SystemError) {
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in signals {
            if sigaddset(&mask, signal) != 0 { throw SystemError(operation: "sigaddset", errno: EINVAL) }
        }
        let blocked = pthread_sigmask(SIG_BLOCK, &mask, nil)
        if blocked != 0 { throw SystemError(operation: "pthread_sigmask", errno: blocked) }
        let flags = Int32(SFD_NONBLOCK) | Int32(SFD_CLOEXEC)
        descriptor = OwnedDescriptor(adopting: try Syscall.retrying("signalfd") { signalfd(-1, &mask, flags) })
    }

    /// The next pending signal's number, or nil when none is pending.
    public func next() -> Int32? {
        var info = signalfd_siginfo()
        let size = MemoryLayout<signalfd_siginfo>.size
        let result = try? Syscall.retryingUnlessWouldBlock("signalfd read") { read(descriptor.raw, &info, size) }
        guard let result, result == size else { return nil }
        return Int32(bitPattern: info.ssi_signo)
    }
}

/// The signals the daemon handles, by what they ask of it.
public enum SignalNumber {
    public static let terminate = SIGTERM
    public static let interrupt = SIGINT
    public static let hangUp = SIGHUP
}
