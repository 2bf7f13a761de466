// Closing a socket of the async runtime, one way for every kind: the stack's socket goes,
// every call waiting on it fails with `.closed`, and the daemon binding made for it is undone.

import ExoWire

/// A handle of a socket kind the runtime serves: closing it closes the stack's socket and
/// fails the waiters the runtime keeps for it (each kind keeps its own).
protocol RuntimeSocketHandle: Sendable {
    func close(in state: inout RuntimeState, ready: inout [@Sendable () -> Void])
}

extension UDPHandle: RuntimeSocketHandle {
    func close(in state: inout RuntimeState, ready: inout [@Sendable () -> Void]) {
        state.stack.close(self)
        state.failWaiters(of: self, ready: &ready)
    }
}

extension PingerHandle: RuntimeSocketHandle {
    func close(in state: inout RuntimeState, ready: inout [@Sendable () -> Void]) {
        state.stack.close(self)
        state.failWaiters(of: self, ready: &ready)
    }
}

extension NetworkRuntime {
    /// Closes `handle`'s socket; its waiting calls fail with `.closed`. Synchronous, for a
    /// socket object's deinit (a daemon binding then lasts until the session ends).
    /// Idempotent: a closed handle is stale and closing it again does nothing.
    func closeSocket(_ handle: some RuntimeSocketHandle) {
        withStack { state, _, ready in handle.close(in: &state, ready: &ready) }
    }

    /// Closes `handle`'s socket, then removes `daemonBinding` (made for a shared address) at
    /// the daemon. A failed unbind is not reported: the session's end removes it anyway.
    func closeSocket(_ handle: some RuntimeSocketHandle, unbinding daemonBinding: WireEndpoint?) async {
        closeSocket(handle)
        if let daemonBinding, let session { _ = try? await session.unbind(daemonBinding) }
    }
}
