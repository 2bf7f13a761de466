// What the async runtime's lock guards: the stack, its device, and the tasks waiting on
// sockets. `pump` moves packets and turns the stack's readiness events into resumptions,
// which the caller runs after releasing the lock.

import ExoPacket

/// A datagram handed to an application.
public struct Datagram: Sendable, Hashable {
    /// The payload bytes.
    public var payload: [UInt8]
    /// Who sent it.
    public var source: UDPEndpoint
    /// The local address it was sent to.
    public var destination: IPv4Address

    public init(payload: [UInt8], source: UDPEndpoint, destination: IPv4Address) {
        self.payload = payload
        self.source = source
        self.destination = destination
    }
}

/// A task waiting for one value, with the id its cancellation handler finds it by.
struct Waiter<Value: Sendable>: Sendable {
    let id: UInt64
    let continuation: CheckedContinuation<Result<Value, NetworkError>, Never>

    func resume(_ result: Result<Value, NetworkError>) -> @Sendable () -> Void {
        let continuation = continuation
        return { continuation.resume(returning: result) }
    }
}

/// Unchecked Sendable, and why that is safe: a `RuntimeState` lives only inside
/// `NetworkRuntime.state`'s `Mutex`, so every access is serialised by that lock, and nothing
/// it holds is referenced from outside it: the `DataPath` (a class) is reachable only through
/// `device`, since the runtime sleeps on a duplicate of its eventfd, not on the path.
struct RuntimeState: ~Copyable, @unchecked Sendable {
    var stack: NetworkStack
    var device: DataPathDevice
    /// Tasks in `UDPSocket.receive`, oldest first per socket.
    var receivers: [UDPHandle: [Waiter<Datagram>]] = [:]
    /// Tasks in `UDPSocket.send` whose socket's transmit queue was full; resumed with
    /// `false` ("not sent yet: there is room now, try again").
    var writers: [UDPHandle: [Waiter<Bool>]] = [:]
    /// Tasks in `Pinger.next`, oldest first per pinger.
    var pingWaiters: [PingerHandle: [Waiter<PingEvent>]] = [:]
    /// Tasks waiting on TCP readiness; resumed with success ("try again").
    var tcpWaiters: [TCPWaitKey: [TCPWaiter]] = [:]
    /// Set once the runtime stopped; every later call fails with it.
    var stopped: NetworkError?
    /// While the stack thread sleeps: the latest time it will wake (`.max`: no deadline).
    var sleepingUntil: Instant?
    /// What the stack thread sleeps on outside the lock (the data path's eventfd, duplicated);
    /// application calls wake it through it when they move its next deadline earlier.
    var sleeper: DataPathSleeper
    /// True from the end of the session until a new one's data path is adopted: the rings
    /// are nobody's, so nothing pumps them; sockets and their waiters stay.
    var detached = false

    init(stack: consuming NetworkStack, device: DataPathDevice, sleeper: DataPathSleeper) {
        self.stack = stack
        self.device = device
        self.sleeper = sleeper
    }

    /// Takes a new session's data path after the daemon restarted: the stack keeps its state
    /// and takes the link's new MACs (`NetworkStack.relink`). False, changing nothing, when
    /// the daemon now describes another identity, which the stack's sockets cannot keep.
    mutating func adopt(_ path: DataPath, sleeper: DataPathSleeper, configuration: StackConfiguration, now: Instant) -> Bool {
        guard stack.relink(to: configuration, now: now) else { return false }
        device = DataPathDevice(dataPath: path)
        self.sleeper = sleeper
        sleepingUntil = nil
        detached = false
        return true
    }

    /// Lets the stack exchange packets with the device at `now`, then serves the waiters its
    /// events concern. Returns what the poll did.
    mutating func pump(now: Instant, ready: inout [@Sendable () -> Void]) -> PollOutcome {
        let outcome = device.poll(&stack, now: now)
        while let event = stack.nextEvent() {
            switch event {
            case .udpReadable(let handle): serveReceivers(handle, ready: &ready)
            case .udpWritable(let handle):
                for writer in writers.removeValue(forKey: handle) ?? [] { ready.append(writer.resume(.success(false))) }
            case .pingerReadable(let handle): servePingWaiters(handle, ready: &ready)
            case .tcpReadable, .tcpWritable, .tcpAcceptable: serveTCP(event, ready: &ready)
            }
        }
        return outcome
    }

    /// Gives queued datagrams (or the socket's error) to waiting receivers, oldest first.
    mutating func serveReceivers(_ handle: UDPHandle, ready: inout [@Sendable () -> Void]) {
        while let waiter = receivers[handle]?.first, let result = takeReceived(handle) {
            receivers[handle]?.removeFirst()
            if receivers[handle]?.isEmpty == true { receivers[handle] = nil }
            ready.append(waiter.resume(result))
        }
    }

    /// The socket's pending error, else its oldest datagram; nil when neither is there.
    mutating func takeReceived(_ handle: UDPHandle) -> Result<Datagram, NetworkError>? {
        if stack.udp.localEndpoint(handle) == nil { return .failure(.closed) }
        if let error = stack.takeError(handle) { return .failure(.socket(error)) }
        let datagram = stack.withNextDatagram(handle) { payload, from in
            Datagram(payload: payload.array, source: from.source, destination: from.destination)
        }
        return datagram.map { .success($0) }
    }

    mutating func servePingWaiters(_ handle: PingerHandle, ready: inout [@Sendable () -> Void]) {
        while let waiter = pingWaiters[handle]?.first, let event = stack.nextPingEvent(handle) {
            pingWaiters[handle]?.removeFirst()
            if pingWaiters[handle]?.isEmpty == true { pingWaiters[handle] = nil }
            ready.append(waiter.resume(.success(event)))
        }
    }

    /// Fails every waiter of a socket that was closed.
    mutating func failWaiters(of handle: UDPHandle, ready: inout [@Sendable () -> Void]) {
        for waiter in receivers.removeValue(forKey: handle) ?? [] { ready.append(waiter.resume(.failure(.closed))) }
        for waiter in writers.removeValue(forKey: handle) ?? [] { ready.append(waiter.resume(.failure(.closed))) }
    }

    mutating func failWaiters(of handle: PingerHandle, ready: inout [@Sendable () -> Void]) {
        for waiter in pingWaiters.removeValue(forKey: handle) ?? [] { ready.append(waiter.resume(.failure(.closed))) }
    }

    /// Marks the runtime stopped with `reason`; returns the resumptions failing every waiter.
    mutating func stop(_ reason: NetworkError) -> [@Sendable () -> Void] {
        if stopped == nil { stopped = reason }
        var ready: [@Sendable () -> Void] = []
        for waiter in receivers.values.joined() { ready.append(waiter.resume(.failure(reason))) }
        for waiter in writers.values.joined() { ready.append(waiter.resume(.failure(reason))) }
        for waiter in pingWaiters.values.joined() { ready.append(waiter.resume(.failure(reason))) }
        // Woken TCP tasks try again and find the runtime stopped.
        for waiter in tcpWaiters.values.joined() { ready.append(waiter.wake) }
        tcpWaiters.removeAll()
        receivers.removeAll()
        writers.removeAll()
        pingWaiters.removeAll()
        return ready
    }

    /// Removes the waiter `id` (its task was cancelled); returns it to be resumed.
    mutating func removeReceiver(_ handle: UDPHandle, id: UInt64) -> Waiter<Datagram>? {
        guard let index = receivers[handle]?.firstIndex(where: { $0.id == id }) else { return nil }
        return receivers[handle]?.remove(at: index)
    }

    mutating func removeWriter(_ handle: UDPHandle, id: UInt64) -> Waiter<Bool>? {
        guard let index = writers[handle]?.firstIndex(where: { $0.id == id }) else { return nil }
        return writers[handle]?.remove(at: index)
    }

    mutating func removePingWaiter(_ handle: PingerHandle, id: UInt64) -> Waiter<PingEvent>? {
        guard let index = pingWaiters[handle]?.firstIndex(where: { $0.id == id }) else { return nil }
        return pingWaiters[handle]?.remove(at: index)
    }
}
