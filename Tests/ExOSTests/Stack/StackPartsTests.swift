// The stack's parts on their own: the transmit rota `StackCore` keeps for the socket parts
// (each socket in it at most once, and out of it once closed), and the one error budget
// `ICMPResponder` keeps for everything the stack sends unasked (port unreachable and TCP
// resets alike).

import ExoPacket
import Testing

@testable import ExOS

@Suite struct StackPartsTests {
    static let peer = UDPEndpoint(address: Hosts.address(2), port: 9)

    @Test func aSocketHasOneTurnOnTheRotaHoweverManyDatagramsItQueues() throws {
        let configuration = Hosts.owned(1)
        var core = StackCore(configuration: configuration, now: .zero)
        var udp = UDPSockets(configuration.limits)
        let first = try udp.open(address: nil, port: 7, core: &core)
        let second = try udp.open(address: nil, port: 8, core: &core)
        for _ in 0..<3 { try udp.send(first, length: 4, to: Self.peer, core: &core) { _ in } }
        try udp.send(second, length: 4, to: Self.peer, core: &core) { _ in }
        #expect(core.transmitTurns.count == 2)
        #expect(core.transmitTurns.pop() == .udp(first.slot))
        #expect(core.transmitTurns.pop() == .udp(second.slot))
    }

    @Test func closingASocketTakesItsTurnOffTheRotaAndKeepsTheOthersInOrder() throws {
        let configuration = Hosts.owned(1)
        var core = StackCore(configuration: configuration, now: .zero)
        var udp = UDPSockets(configuration.limits)
        let handles = try (0..<3).map { (port: UInt16) throws(StackError) in
            try udp.open(address: nil, port: 7 + port, core: &core)
        }
        for handle in handles { try udp.send(handle, length: 4, to: Self.peer, core: &core) { _ in } }
        udp.close(handles[1], core: &core)
        #expect(core.transmitTurns.count == 2)
        #expect(core.transmitTurns.pop() == .udp(handles[0].slot))
        #expect(core.transmitTurns.pop() == .udp(handles[2].slot))
    }

    /// Sockets opened, given a datagram and closed before any transmit, many times over the
    /// rota's capacity: no stale turn is left to fill it, and only the live socket sends.
    @Test func churningSocketsWithQueuedDatagramsNeverFillsTheRota() throws {
        var limits = Hosts.quiet
        limits.udpSockets = 2
        limits.pingers = 1
        limits.tcpConnections = 1
        var stack = NetworkStack(configuration: Hosts.owned(1, limits: limits))
        stack.inject(FrameFactory.arp(.request, target: Hosts.address(1)), now: .zero)
        _ = stack.drainRaw(now: .zero)
        let peer = UDPEndpoint(address: Hosts.strangerAddress, port: 9)
        for round in 0..<20 {
            let socket = try stack.openUDP(port: 7)
            try stack.send(socket, [UInt8(round)], to: peer, now: .zero)
            stack.close(socket)
        }
        let socket = try stack.openUDP(port: 7)
        try stack.send(socket, [0xAA], to: peer, now: .zero)
        #expect(stack.core.transmitTurns.count == 1)
        let sent = stack.drain(now: .zero)
        #expect(sent == [.udp(to: Hosts.strangerAddress, destinationMAC: Hosts.stranger, port: 9, payload: [0xAA])])
    }

    /// A burst of one: a port unreachable spends the budget, so the reset for a segment to a
    /// closed TCP port right after is not sent (counted), and the budget refills with time.
    @Test func portUnreachableAndResetsShareOneErrorBudget() {
        var limits = Hosts.quiet
        limits.icmpErrorBurst = 1
        var peer = CraftedPeer(limits: limits)
        peer.stack.inject(FrameFactory.udp(to: Hosts.address(1), mac: Hosts.mac(1), port: 9, payload: [1]), now: .zero)
        peer.send(.syn)
        let sent = peer.stack.drain(now: .zero)
        #expect(sent.count == 1)
        #expect(sent.first == .unreachable(to: Hosts.strangerAddress, code: 3, quotedPort: 9))
        #expect(peer.stack.counters.icmpErrorsSent == 1)
        #expect(peer.stack.counters.tcp.resetsSent == 0)
        #expect(peer.stack.counters[.icmpErrorRateLimited] == 1)
        let later = Instant.zero + limits.icmpErrorInterval
        peer.now = later
        peer.send(.syn, sequence: TCPSequenceNumber(5))
        _ = peer.stack.drain(now: later)
        #expect(peer.stack.counters.tcp.resetsSent == 1)
    }
}
