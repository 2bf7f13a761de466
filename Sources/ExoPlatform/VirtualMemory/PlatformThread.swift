// A plain kernel thread running one closure, optionally pinned to a CPU before it starts:
// what a userfaultfd handler needs (Swift tasks may move between threads; this does not).
import Glibc

/// One pthread. `join()` waits for the closure to return; deinit joins if nobody did.
public final class PlatformThread: @unchecked Sendable {
    // Written once by `start` before any other access; read only by `join`, which the
    // owner calls (not concurrently with itself).
    private var thread: pthread_t
    private var joined = false

    private final class Start {
        let cpu: Int?
        let body: @Sendable () -> Void
        init(cpu: Int?, body: @escaping @Sendable () -> Void) {
            self.cpu = cpu
            self.body = body
        }
    }

    /// Starts `body` on a new thread, pinned to `cpu` when given (the pin is made by the new
    /// thread itself before `body` runs; if it fails, `body` still runs, unpinned).
    public init(cpu: Int? = nil, _ body: @escaping @Sendable () -> Void) throws(SystemError) {
        let start = Unmanaged.passRetained(Start(cpu: cpu, body: body))
        var handle = pthread_t()
        let status = pthread_create(&handle, nil, { context in
            let start = Unmanaged<Start>.fromOpaque(context!).takeRetainedValue()
            if let cpu = start.cpu { try? CPUAffinity.pinCurrentThread(to: cpu) }
            start.body()
            return nil
        }, start.toOpaque())
        guard status == 0 else {
            start.release()
            throw SystemError(operation: "pthread_create", errno: status)
        }
        thread = handle
    }

    deinit { join() }

    /// Waits for the closure to return. Idempotent.
    public func join() {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }
}
