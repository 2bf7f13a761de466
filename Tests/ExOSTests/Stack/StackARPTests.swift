// ARP in the stack: announcements on attach, answering for owned addresses only,
// resolution with retries and back-off, giving up, the pending queue's bound, expiry and
// refresh of neighbors in use.

import ExoPacket
import Testing

@testable import ExOS

@Suite struct StackARPTests {
    @Test func anOwnedAddressIsAnnouncedTwiceOnAttachTwoSecondsApart() {
        var stack = NetworkStack(configuration: Hosts.owned(1, limits: StackLimits()))
        let gratuitous = SentFrame.arpRequest(
            sender: Hosts.address(1), target: Hosts.address(1), destination: .broadcast)
        #expect(stack.drain(now: .zero) == [gratuitous])
        #expect(stack.nextDeadline == .seconds(2))
        #expect(stack.drain(now: .milliseconds(1999)) == [])
        #expect(stack.drain(now: .seconds(2)) == [gratuitous])
        #expect(stack.nextDeadline == nil)
        #expect(stack.drain(now: .seconds(10)) == [])
    }

    @Test func aSharedAddressIsNeverAnnouncedNorAnswered() {
        var stack = NetworkStack(configuration: Hosts.shared(3))
        #expect(stack.drain(now: .zero) == [])
        stack.inject(FrameFactory.arp(.request, target: Hosts.address(3)), now: .zero)
        #expect(stack.drain(now: .zero) == [])
        #expect(stack.counters[.arpForSharedAddress] == 1)
    }

    @Test func aRequestForAnOwnedAddressIsAnsweredToTheAsker() {
        var stack = NetworkStack(configuration: Hosts.owned(1))
        _ = stack.drain(now: .zero)
        stack.inject(FrameFactory.arp(.request, target: Hosts.address(1)), now: .zero)
        #expect(
            stack.drain(now: .zero) == [
                .arpReply(sender: Hosts.address(1), target: Hosts.strangerAddress, destination: Hosts.stranger)
            ])
        #expect(stack.counters.arpRepliesSent == 1)
        // The asker was learned (RFC 826): a datagram to it goes out at once, no request.
        let socket = try! stack.openUDP(port: 7)
        try! stack.send(socket, [9], to: UDPEndpoint(address: Hosts.strangerAddress, port: 9), now: .zero)
        #expect(
            stack.drain(now: .zero) == [
                .udp(to: Hosts.strangerAddress, destinationMAC: Hosts.stranger, port: 9, payload: [9])
            ])
    }

    @Test func requestsForOthersAndConflictsAreCountedNotAnswered() {
        var stack = NetworkStack(configuration: Hosts.owned(1))
        _ = stack.drain(now: .zero)
        stack.inject(FrameFactory.arp(.request, target: Hosts.address(9)), now: .zero)
        stack.inject(FrameFactory.arp(.request, sender: Hosts.address(1), target: Hosts.address(9)), now: .zero)
        stack.inject(FrameFactory.arp(.request, senderMAC: .broadcast, target: Hosts.address(1)), now: .zero)
        #expect(stack.drain(now: .zero) == [])
        #expect(stack.counters[.arpNotForUs] == 1)
        #expect(stack.counters[.arpAddressConflict] == 1)
        #expect(stack.counters[.ethernetBadSource] == 1)
    }

    @Test func twoStacksResolveEachOtherAndDeliver() {
        var simulation = Simulation([Hosts.owned(1), Hosts.owned(2)], seed: 1)
        let sender = try! simulation.stacks[0].openUDP(port: 1000)
        let receiver = try! simulation.stacks[1].openUDP(port: 2000)
        try! simulation.stacks[0].send(
            sender, Array("hello".utf8), to: UDPEndpoint(address: Hosts.address(2), port: 2000), now: simulation.now)
        #expect(simulation.run(for: .seconds(1)) { $0.stacks[1].udp.hasDatagram(receiver) })
        let received = simulation.stacks[1].receive(receiver)
        #expect(received?.payload == Array("hello".utf8))
        #expect(received?.source == UDPEndpoint(address: Hosts.address(1), port: 1000))
        #expect(simulation.stacks[1].counters.arpRepliesSent == 1)
    }

    @Test func resolutionRetriesWithDoublingIntervalsThenGivesUpAndTellsTheSocket() {
        var stack = NetworkStack(configuration: Hosts.owned(1))
        _ = stack.drain(now: .zero)
        let socket = try! stack.openUDP(port: 7)
        let nobody = UDPEndpoint(address: Hosts.address(99), port: 9)
        let start = Instant.seconds(5)
        try! stack.send(socket, [1], to: nobody, now: start)
        var requestTimes: [Interval] = []
        var now = start
        // Walk the stack's own deadlines, as a driver does.
        while now < start + .seconds(60) {
            for frame in stack.drain(now: now)
            where frame == .arpRequest(sender: Hosts.address(1), target: Hosts.address(99), destination: .broadcast) {
                requestTimes.append(now - start)
            }
            guard let next = stack.nextDeadline, next > now else { break }
            now = next
        }
        #expect(requestTimes == [.zero, .seconds(1), .seconds(3), .seconds(7)])
        #expect(stack.counters[.neighborUnresolved] == 1)
        #expect(stack.takeError(socket) == .hostUnreachable(Hosts.address(99)))
        #expect(stack.nextDeadline == nil)
    }

    @Test func framesForAnUnresolvedNeighborWaitInABoundedQueueAndLeaveOnTheReply() {
        var limits = StackLimits()
        limits.pendingPerNeighbor = 4
        var stack = NetworkStack(configuration: Hosts.owned(1, limits: limits))
        _ = stack.drain(now: .zero)
        let socket = try! stack.openUDP(port: 7)
        let peer = UDPEndpoint(address: Hosts.strangerAddress, port: 9)
        for i in 0..<10 { try! stack.send(socket, [UInt8(i)], to: peer, now: .zero) }
        #expect(
            stack.drain(now: .zero) == [
                .arpRequest(sender: Hosts.address(1), target: Hosts.strangerAddress, destination: .broadcast)
            ])
        #expect(stack.counters[.neighborPendingFull] == 6)
        stack.inject(
            FrameFactory.arp(.reply, targetMAC: Hosts.mac(1), target: Hosts.address(1), to: Hosts.mac(1)),
            now: .milliseconds(3))
        let sent = stack.drain(now: .milliseconds(3))
        #expect(
            sent
                == (0..<4).map {
                    .udp(to: Hosts.strangerAddress, destinationMAC: Hosts.stranger, port: 9, payload: [UInt8($0)])
                })
    }

    @Test func aNeighborExpiresAfterItsLifetimeAndIsAskedForAgain() {
        var stack = NetworkStack(configuration: Hosts.owned(1))
        _ = stack.drain(now: .zero)
        stack.inject(FrameFactory.arp(.request, target: Hosts.address(1)), now: .zero)
        _ = stack.drain(now: .zero)
        let socket = try! stack.openUDP(port: 7)
        let peer = UDPEndpoint(address: Hosts.strangerAddress, port: 9)
        let lifetime = StackLimits().neighborLifetime
        try! stack.send(socket, [1], to: peer, now: .seconds(30))
        #expect(
            stack.drain(now: .seconds(30)) == [
                .udp(to: Hosts.strangerAddress, destinationMAC: Hosts.stranger, port: 9, payload: [1])
            ])
        let expired = Instant.zero + lifetime
        try! stack.send(socket, [2], to: peer, now: expired)
        #expect(
            stack.drain(now: expired) == [
                .arpRequest(sender: Hosts.address(1), target: Hosts.strangerAddress, destination: .broadcast)
            ])
    }

    @Test func aNeighborInUseIsRefreshedByUnicastBeforeItExpires() {
        var stack = NetworkStack(configuration: Hosts.owned(1))
        _ = stack.drain(now: .zero)
        stack.inject(FrameFactory.arp(.request, target: Hosts.address(1)), now: .zero)
        _ = stack.drain(now: .zero)
        let socket = try! stack.openUDP(port: 7)
        let peer = UDPEndpoint(address: Hosts.strangerAddress, port: 9)
        let limits = StackLimits()
        let inWindow =
            Instant.zero
            + Interval(nanoseconds: limits.neighborLifetime.nanoseconds - limits.neighborRefreshBefore.nanoseconds)
        try! stack.send(socket, [1], to: peer, now: inWindow)
        // Still sent at once, to the known MAC, with a unicast re-request beside it.
        #expect(
            stack.drain(now: inWindow) == [
                .udp(to: Hosts.strangerAddress, destinationMAC: Hosts.stranger, port: 9, payload: [1]),
                .arpRequest(sender: Hosts.address(1), target: Hosts.strangerAddress, destination: Hosts.stranger),
            ])
        // The answer renews the entry: long past the first lifetime, still no broadcast.
        stack.inject(
            FrameFactory.arp(.reply, targetMAC: Hosts.mac(1), target: Hosts.address(1), to: Hosts.mac(1)), now: inWindow
        )
        let later = inWindow + .seconds(40)
        try! stack.send(socket, [2], to: peer, now: later)
        #expect(
            stack.drain(now: later) == [
                .udp(to: Hosts.strangerAddress, destinationMAC: Hosts.stranger, port: 9, payload: [2])
            ])
    }

    @Test func theConfiguredGatewayNeedsNoResolutionAndTakesOffLinkTraffic() {
        var configuration = Hosts.owned(1)
        configuration.gateway = Hosts.address(254)
        configuration.gatewayMAC = MACAddress(0x02, 0, 0, 0, 0, 0xFE)
        var stack = NetworkStack(configuration: configuration)
        _ = stack.drain(now: .zero)
        let socket = try! stack.openUDP(port: 7)
        let faraway = IPv4Address(192, 0, 2, 1)
        try! stack.send(socket, [1], to: UDPEndpoint(address: faraway, port: 9), now: .zero)
        #expect(
            stack.drain(now: .zero) == [
                .udp(to: faraway, destinationMAC: MACAddress(0x02, 0, 0, 0, 0, 0xFE), port: 9, payload: [1])
            ])
        // Without a gateway, off-link is unroutable at `send`.
        var isolated = NetworkStack(configuration: Hosts.owned(1))
        let other = try! isolated.openUDP(port: 7)
        #expect(throws: SendError.unroutable(faraway)) {
            try isolated.send(other, [1], to: UDPEndpoint(address: faraway, port: 9), now: .zero)
        }
    }
}

extension StackARPTests {
    @Test func allPendingFramesTogetherHaveABoundToo() {
        var limits = Hosts.quiet
        limits.pendingPerNeighbor = 4
        limits.pendingTotal = 6
        var stack = NetworkStack(configuration: Hosts.owned(1, limits: limits))
        let socket = try! stack.openUDP(port: 7)
        for host in 50..<53 as Range<UInt8> {
            for i in 0..<4 as Range<UInt8> {
                try! stack.send(socket, [i], to: UDPEndpoint(address: Hosts.address(host), port: 9), now: .zero)
            }
        }
        #expect(stack.drain(now: .zero).count == 3)  // one request per neighbor
        #expect(stack.counters[.neighborPendingFull] == 6)
    }

    @Test func aCacheFullOfResolutionsRefusesANewOneAndCountsIt() {
        var limits = Hosts.quiet
        limits.neighbors = 2
        var stack = NetworkStack(configuration: Hosts.owned(1, limits: limits))
        let socket = try! stack.openUDP(port: 7)
        for host in 50..<53 as Range<UInt8> {
            try! stack.send(socket, [host], to: UDPEndpoint(address: Hosts.address(host), port: 9), now: .zero)
        }
        #expect(stack.drain(now: .zero).count == 2)
        #expect(stack.counters[.neighborCacheFull] == 1)
    }
}
