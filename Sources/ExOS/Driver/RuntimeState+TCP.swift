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
        for waiter in tcpWaiters.removeValue(forKey: key) ?? [] { ready.append(waiter.resume(.success(()))) }
    }

    /// Removes a cancelled waiter.
    mutating func removeTCPWaiter(_ key: TCPWaitKey, id: UInt64) {
        tcpWaiters[key]?.removeAll { $0.id == id }
        if tcpWaiters[key]?.isEmpty == true { tcpWaiters[key] = nil }
    }

    /// Wakes every TCP waiter of a connection or listener that went away, so it sees why.
    mutating func wakeTCPWaiters(_ keys: [TCPWaitKey], ready: inout [@Sendable () -> Void]) {
        for key in keys {
            for waiter in tcpWaiters.removeValue(forKey: key) ?? [] { ready.append(waiter.resume(.success(()))) }
        }
    }
}

/// What a TCP task waits for.
enum TCPWaitKey: Hashable {
    case readable(TCPHandle)
    case writable(TCPHandle)
    case acceptable(TCPListenerHandle)
}
