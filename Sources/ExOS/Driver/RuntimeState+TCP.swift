// The runtime's TCP waiters: tasks in accept, connect, read and write, woken by the stack's
// readiness events and told to try again (the stack's call then says what happened).

extension RuntimeState {
    /// Wakes every task waiting on what `event` concerns.
    mutating func serveTCP(_ event: StackEvent, ready: inout [@Sendable () -> Void]) {
        let key: TCPWaitKey
        switch event {
        case .tcpReadable(let handle): key = .readable(handle)
        case .tcpWritable(let handle): key = .writable(handle)
        case .tcpAcceptable(let handle): key = .acceptable(handle)
        default: return
        }
        wakeTCPWaiters([key], ready: &ready)
    }

    /// Parks `waiter` until `key` is announced; it is then resumed with nil ("try again").
    mutating func parkTCP<Value: Sendable>(_ waiter: Waiter<Value?>, on key: TCPWaitKey) {
        tcpWaiters[key, default: []].append(
            TCPWaiter(id: waiter.id, wake: waiter.resume(.success(nil)), cancel: waiter.resume(.failure(.cancelled))))
    }

    /// Fails a parked waiter whose task was cancelled (if it is still parked).
    mutating func cancelTCPWaiter(_ key: TCPWaitKey, id: UInt64) {
        guard let index = tcpWaiters[key]?.firstIndex(where: { $0.id == id }) else { return }
        let waiter = tcpWaiters[key]?.remove(at: index)
        if tcpWaiters[key]?.isEmpty == true { tcpWaiters[key] = nil }
        // Resuming only schedules the task: safe under the runtime's lock.
        waiter?.cancel()
    }

    /// Wakes every task parked on `keys` (to try again, and find out what changed).
    mutating func wakeTCPWaiters(_ keys: [TCPWaitKey], ready: inout [@Sendable () -> Void]) {
        for key in keys {
            for waiter in tcpWaiters.removeValue(forKey: key) ?? [] { ready.append(waiter.wake) }
        }
    }
}

/// What a TCP task waits for.
enum TCPWaitKey: Hashable, Sendable {
    case readable(TCPHandle)
    case writable(TCPHandle)
    case acceptable(TCPListenerHandle)
}

/// A parked TCP task: its id (for cancellation) and how to wake it.
struct TCPWaiter: Sendable {
    let id: UInt64
    let wake: @Sendable () -> Void
    let cancel: @Sendable () -> Void
}
