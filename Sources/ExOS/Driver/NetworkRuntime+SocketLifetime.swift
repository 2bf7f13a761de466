// A socket's lifetime in the async runtime, one way for every kind: on a shared address the
// daemon's binding made after the stack opened it (or the stack's socket closed again if the
// daemon refuses), and on close the stack's socket gone, every call waiting on it failed with
// `.closed` (UDP, pingers) or woken to find it closed (TCP), and the daemon binding undone.

import ExoWire

/// A handle of a socket kind the runtime serves: closing it closes the stack's socket at
/// `now` and ends the waits the runtime keeps for it (each kind keeps its own).
protocol RuntimeSocketHandle: Sendable {
    func close(in state: inout RuntimeState, now: Instant, ready: inout [@Sendable () -> Void])
}

extension UDPHandle: RuntimeSocketHandle {
    func close(in state: inout RuntimeState, now: Instant, ready: inout [@Sendable () -> Void]) {
        state.stack.close(self)
        state.failWaiters(of: self, ready: &ready)
    }
}

extension PingerHandle: RuntimeSocketHandle {
    func close(in state: inout RuntimeState, now: Instant, ready: inout [@Sendable () -> Void]) {
        state.stack.close(self)
        state.failWaiters(of: self, ready: &ready)
    }
}

/// TCP's waiters are woken to try again: the stack then tells them the socket is closed.
extension TCPListenerHandle: RuntimeSocketHandle {
    func close(in state: inout RuntimeState, now: Instant, ready: inout [@Sendable () -> Void]) {
        state.stack.close(self)
        state.wakeTCPWaiters([.acceptable(self)], ready: &ready)
    }
}

extension TCPHandle: RuntimeSocketHandle {
    func close(in state: inout RuntimeState, now: Instant, ready: inout [@Sendable () -> Void]) {
        state.stack.close(self, now: now)
        state.wakeTCPWaiters([.readable(self), .writable(self)], ready: &ready)
    }
}

extension NetworkRuntime {
    /// Asks the daemon (the authority on shared addresses) to deliver `endpoint` to this
    /// session, for the stack's socket `handle`, which is closed again if the daemon refuses.
    /// Returns the binding to undo on close; nil without a session (in-process tests).
    func bindAtDaemon(_ endpoint: WireEndpoint, for handle: some RuntimeSocketHandle) async throws(NetworkError)
        -> WireEndpoint?
    {
        guard let daemon else { return nil }
        do throws(NetworkError) {
            try await daemon.bind(endpoint)
        } catch {
            closeSocket(handle)
            throw error
        }
        return endpoint
    }

    /// Closes `handle`'s socket and ends its waiting calls. Synchronous, for a socket
    /// object's deinit (a daemon binding then lasts until the session ends).
    /// Idempotent: a closed handle is stale and closing it again does nothing.
    func closeSocket(_ handle: some RuntimeSocketHandle) {
        withStack { state, now, ready in handle.close(in: &state, now: now, ready: &ready) }
    }

    /// Closes `handle`'s socket, then removes `daemonBinding` (made for a shared address) at
    /// the daemon. A failed unbind is not reported: the session's end removes it anyway.
    func closeSocket(_ handle: some RuntimeSocketHandle, unbinding daemonBinding: WireEndpoint?) async {
        closeSocket(handle)
        if let daemonBinding { await daemon?.unbind(daemonBinding) }
    }
}
