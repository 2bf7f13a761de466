// Synchronous fault signals (SIGSEGV from an mprotect'ed page, SIGBUS from a userfaultfd in
// SIGBUS mode) routed to one Swift handler on the faulting thread.
import CExoShims
import Glibc
import Synchronization

/// Receives faults on the faulting thread, inside the signal handler.
///
/// What a handler may do: the only faults routed here come from `AddressReservation.store`,
/// a C store that holds no lock and allocates nothing, so the interrupted code cannot be
/// holding a lock the handler takes; the handler may lock, call into the kernel and update
/// records. It must not wait for another thread that is itself faulting.
public protocol FaultSignalHandler: AnyObject, Sendable {
    /// The fault at `address`: return true once it is resolved (the store is retried), false
    /// when the address is not yours (the signal's previous action is restored and runs).
    func handleFault(at address: UInt, signal: Int32) -> Bool
}

/// Which signal carries the faults.
public enum FaultSignal: Int32, Sendable {
    case segmentationFault = 11  // SIGSEGV
    case busError = 7  // SIGBUS
}

/// The process-wide route: one handler per signal at a time.
public enum FaultSignalRoute {
    /// The retained handler per signal, so the C side's context pointer stays valid.
    private static let routes = Mutex<[Int32: Unmanaged<HandlerBox>]>([:])

    private final class HandlerBox {
        let handler: any FaultSignalHandler
        init(_ handler: any FaultSignalHandler) { self.handler = handler }
    }

    /// Installs `handler` for `signal`. Throws EBUSY when another handler holds the route.
    public static func install(_ signal: FaultSignal, _ handler: any FaultSignalHandler) throws(SystemError) {
        let result: Result<Void, SystemError> = routes.withLock { routes in
            guard routes[signal.rawValue] == nil else {
                return .failure(SystemError(operation: "sigaction(\(signal))", errno: EBUSY))
            }
            let box = Unmanaged.passRetained(HandlerBox(handler))
            let callback: cexo_fault_callback = { context, address, signo in
                guard let context else { return 0 }
                let box = Unmanaged<HandlerBox>.fromOpaque(context).takeUnretainedValue()
                return box.handler.handleFault(at: UInt(bitPattern: address), signal: signo) ? 1 : 0
            }
            guard cexo_fault_signal_install(signal.rawValue, callback, box.toOpaque()) == 0 else {
                let error = SystemError.lastError("sigaction(\(signal))")
                box.release()
                return .failure(error)
            }
            routes[signal.rawValue] = box
            return .success(())
        }
        try result.get()
    }

    /// Restores the action `signal` had before `install` and releases its handler. Idempotent.
    public static func remove(_ signal: FaultSignal) {
        routes.withLock { routes in
            guard let box = routes.removeValue(forKey: signal.rawValue) else { return }
            _ = cexo_fault_signal_remove(signal.rawValue)
            box.release()
        }
    }
}
