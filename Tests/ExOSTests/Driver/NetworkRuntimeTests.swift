// Specification of the async runtime over real rings: the stack runs on its own thread, and
// tasks send and receive through sockets and pingers; waiting calls end by data, close,
// cancellation or stop. The peer is a second stack behind the daemon's side of the rings.

@testable import ExOS
import ExoPacket
import Testing

// The limit guards against a hang, not slowness: in a full run, integration suites hold the
// cooperative pool's threads in blocking waits for minutes at a time (seen: 138 s).
@Suite(.timeLimit(.minutes(10))) struct NetworkRuntimeTests {
    static let tenant = IPv4Address(10, 9, 0, 2)

    /// A runtime on fresh rings (fill and transmit frames adopted) and its running peer.
    func makeLink() throws -> (NetworkRuntime, PeerHost) {
        let daemon = try DaemonRole(capacity: 32)
        let path = try daemon.makeDataPath()
        try path.postFill(daemon.makeFrames(0..<16))
        try path.addTransmitFrames(daemon.makeFrames(16..<32))
        path.flush()
        let peer = try PeerHost(daemon: daemon)
        peer.start()
        let configuration = StackConfiguration(
            addresses: [LocalAddress(address: Self.tenant, mac: MACAddress(0x02, 0, 0, 0, 0, 0x02), owned: true)],
            prefixLength: 24, secret: 11)
        var options = NetworkOptions()
        options.spin = .microseconds(10)  // sleep soon, so the eventfd path is exercised
        return (try NetworkRuntime.start(path: path, configuration: configuration, options: options), peer)
    }

    @Test func aDatagramSentFromATaskComesBackFromTheEchoServer() async throws {
        let (runtime, peer) = try makeLink()
        defer { runtime.stop(); peer.stop() }
        let socket = try await runtime.bindUDP(port: 5000)
        #expect(socket.localEndpoint == UDPEndpoint(address: Self.tenant, port: 5000))
        for round in 0..<20 {
            let payload = Array("hello \(round)".utf8)
            try await socket.send(payload, to: UDPEndpoint(address: PeerHost.address, port: PeerHost.echoPort))
            let reply = try await socket.receive()
            #expect(reply.payload == payload)
            #expect(reply.source == UDPEndpoint(address: PeerHost.address, port: PeerHost.echoPort))
            #expect(reply.destination == Self.tenant)
        }
        #expect(peer.echoed.load(ordering: .relaxed) == 20)
    }

    @Test func aPingerGetsRepliesWithRoundTrips() async throws {
        let (runtime, peer) = try makeLink()
        defer { runtime.stop(); peer.stop() }
        let pinger = try await runtime.openPinger(identifier: 77)
        for sequence in UInt16(1)...3 {
            try pinger.send(to: PeerHost.address, sequence: sequence, dataLength: 32)
            guard case .reply(let reply) = try await pinger.next() else {
                Issue.record("expected an echo reply")
                return
            }
            #expect(reply.sequence == sequence && reply.from == PeerHost.address && reply.dataLength == 32)
            #expect(reply.roundTrip != nil)
        }
    }

    @Test func aWaitingReceiveEndsWithCancellation() async throws {
        let (runtime, peer) = try makeLink()
        defer { runtime.stop(); peer.stop() }
        let socket = try await runtime.bindUDP(port: 5001)
        let waiting = Task { () async throws(NetworkError) -> Datagram in try await socket.receive() }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        let result = await waiting.result
        #expect(throws: NetworkError.cancelled) { try result.get() }
    }

    @Test func closingASocketFailsItsWaitingReceive() async throws {
        let (runtime, peer) = try makeLink()
        defer { runtime.stop(); peer.stop() }
        let socket = try await runtime.bindUDP(port: 5002)
        let waiting = Task { () async throws(NetworkError) -> Datagram in try await socket.receive() }
        try await Task.sleep(for: .milliseconds(50))
        await socket.close()
        let result = await waiting.result
        #expect(throws: NetworkError.closed) { try result.get() }
        await #expect(throws: NetworkError.closed) { try await socket.receive() }
    }

    @Test func stoppingTheRuntimeFailsEveryWaitingCallAndLaterOnes() async throws {
        let (runtime, peer) = try makeLink()
        defer { peer.stop() }
        let socket = try await runtime.bindUDP(port: 5003)
        let waiting = Task { () async throws(NetworkError) -> Datagram in try await socket.receive() }
        try await Task.sleep(for: .milliseconds(50))
        runtime.stop()
        let result = await waiting.result
        #expect(throws: NetworkError.sessionEnded) { try result.get() }
        await #expect(throws: NetworkError.sessionEnded) { try await runtime.bindUDP(port: 5004) }
    }

    @Test func bindingRefusalsAreTyped() async throws {
        let (runtime, peer) = try makeLink()
        defer { runtime.stop(); peer.stop() }
        let first = try await runtime.bindUDP(port: 5005)
        await #expect(throws: NetworkError.refused(.endpointInUse)) { try await runtime.bindUDP(port: 5005) }
        await #expect(throws: NetworkError.refused(.notLocalAddress(PeerHost.address))) {
            try await runtime.bindUDP(port: 5006, address: PeerHost.address)
        }
        let tooLarge = [UInt8](repeating: 0, count: runtime.maximumUDPPayload + 1)
        await #expect(throws: NetworkError.sendFailed(.datagramTooLarge(maximum: runtime.maximumUDPPayload))) {
            try await first.send(tooLarge, to: UDPEndpoint(address: PeerHost.address, port: 9))
        }
    }
}
