// UDP in the stack: binding only granted endpoints, connected and unconnected use,
// checksums (zero accepted), the size limit, bounded queues, IPv4 details on receive, and
// transfers between two stacks over a lossy, reordering link that repeat from their seed.

import ExoImpairment
import ExoPacket
import Testing

@testable import ExOS

@Suite struct StackUDPTests {
    @Test func bindingFollowsTheGrants() {
        var stack = NetworkStack(configuration: Hosts.shared(3))
        #expect(throws: StackError.notGranted) { try stack.openUDP(port: 80) }
        #expect(throws: StackError.notLocalAddress(Hosts.address(4))) {
            try stack.openUDP(address: Hosts.address(4), port: 5000)
        }
        let socket = try! stack.openUDP(port: 5000)
        #expect(stack.udp.localEndpoint(socket) == UDPEndpoint(address: Hosts.address(3), port: 5000))
        #expect(throws: StackError.endpointInUse) { try stack.openUDP(port: 5000) }
        // Port 0 picks a free granted port.
        let chosen = (0..<9).map { _ in
            let handle = try! stack.openUDP(port: 0)
            return stack.udp.localEndpoint(handle)!.port
        }
        #expect(Set(chosen) == Set(5001...5009))
        #expect(throws: StackError.noFreePort) { try stack.openUDP(port: 0) }
        // A closed socket's handle is stale; its endpoint is free again.
        stack.close(socket)
        #expect(throws: SendError.staleHandle) {
            try stack.send(socket, [1], to: UDPEndpoint(address: Hosts.address(1), port: 1), now: .zero)
        }
        #expect((try? stack.openUDP(port: 5000)) != nil)
    }

    @Test func anOwnedAddressGrantsEveryPort() {
        var stack = NetworkStack(configuration: Hosts.owned(1))
        #expect((try? stack.openUDP(port: 53)) != nil)
        let handle = try! stack.openUDP(port: 0)
        let ephemeral = stack.udp.localEndpoint(handle)!.port
        #expect(ephemeral >= 49152)
    }

    @Test func theLargestDatagramIsTheMTULessHeadersAndOneMoreIsATypedError() {
        var simulation = Simulation([Hosts.owned(1), Hosts.owned(2)], seed: 31)
        let sender = try! simulation.stacks[0].openUDP(port: 1)
        let receiver = try! simulation.stacks[1].openUDP(port: 2)
        let peer = UDPEndpoint(address: Hosts.address(2), port: 2)
        #expect(simulation.stacks[0].maximumUDPPayload == 1472)
        #expect(throws: SendError.datagramTooLarge(maximum: 1472)) {
            try simulation.stacks[0].send(sender, [UInt8](repeating: 1, count: 1473), to: peer, now: .zero)
        }
        let largest = (0..<1472).map { UInt8(truncatingIfNeeded: $0) }
        try! simulation.stacks[0].send(sender, largest, to: peer, now: .zero)
        #expect(simulation.run(for: .seconds(1)) { $0.stacks[1].udp.hasDatagram(receiver) })
        #expect(simulation.stacks[1].receive(receiver)?.payload == largest)
    }

    @Test func aConnectedSocketSendsToItsPeerAndHearsOnlyIt() {
        var simulation = Simulation([Hosts.owned(1), Hosts.owned(2), Hosts.owned(3)], seed: 32)
        let server = try! simulation.stacks[0].openUDP(port: 7)
        try! simulation.stacks[0].connect(server, to: UDPEndpoint(address: Hosts.address(2), port: 9))
        let friend = try! simulation.stacks[1].openUDP(port: 9)
        let stranger = try! simulation.stacks[2].openUDP(port: 9)
        let server7 = UDPEndpoint(address: Hosts.address(1), port: 7)
        try! simulation.stacks[2].send(stranger, [3], to: server7, now: simulation.now)
        try! simulation.stacks[1].send(friend, [2], to: server7, now: simulation.now)
        try! simulation.stacks[0].send(server, [1], now: simulation.now)
        simulation.run(for: .seconds(1)) { $0.stacks[1].udp.hasDatagram(friend) && $0.stacks[0].udp.hasDatagram(server) }
        simulation.advance(by: .milliseconds(100))
        #expect(simulation.stacks[1].receive(friend)?.payload == [1])
        #expect(simulation.stacks[0].receive(server)?.payload == [2])
        #expect(simulation.stacks[0].receive(server) == nil)
        #expect(simulation.stacks[0].counters[.udpNotFromPeer] == 1)
        // Without a peer, send needs a destination.
        try! simulation.stacks[0].connect(server, to: nil)
        #expect(throws: SendError.notConnected) { try simulation.stacks[0].send(server, [1], now: simulation.now) }
    }

    @Test func checksumsAreVerifiedAndAZeroChecksumMeansNone() {
        var stack = NetworkStack(configuration: Hosts.owned(1))
        let socket = try! stack.openUDP(port: 7)
        stack.inject(
            FrameFactory.udp(to: Hosts.address(1), mac: Hosts.mac(1), port: 7, payload: [1], zeroChecksum: true),
            now: .zero)
        var corrupted = FrameFactory.udp(to: Hosts.address(1), mac: Hosts.mac(1), port: 7, payload: [2])
        corrupted[corrupted.count - 1] ^= 0xFF
        stack.inject(corrupted, now: .zero)
        #expect(stack.receive(socket)?.payload == [1])
        #expect(stack.receive(socket) == nil)
        #expect(stack.counters[.udpBadChecksum] == 1)
        // What the stack sends verifies at the receiver (`SentFrame` checks it).
        try! stack.send(socket, [5, 6, 7], to: UDPEndpoint(address: Hosts.strangerAddress, port: 9), now: .zero)
        stack.inject(
            FrameFactory.arp(.reply, targetMAC: Hosts.mac(1), target: Hosts.address(1), to: Hosts.mac(1)), now: .zero)
        #expect(
            stack.drain(now: .zero).last
                == .udp(to: Hosts.strangerAddress, destinationMAC: Hosts.stranger, port: 9, payload: [5, 6, 7]))
    }

    @Test func optionsAreSkippedAndFragmentsDropped() {
        var stack = NetworkStack(configuration: Hosts.owned(1))
        let socket = try! stack.openUDP(port: 7)
        // A record-route option (7), 8 bytes with padding.
        let withOptions = FrameFactory.udp(
            to: Hosts.address(1), mac: Hosts.mac(1), port: 7, payload: [4, 2], options: [7, 7, 4, 0, 0, 0, 0, 0])
        stack.inject(withOptions, now: .zero)
        #expect(stack.receive(socket)?.payload == [4, 2])
        var fragment = FrameFactory.udp(to: Hosts.address(1), mac: Hosts.mac(1), port: 7, payload: [1])
        fragment.withUnsafeMutableBytes { raw in
            let ip = try! MutableIPv4Packet(checking: MutablePacketBytes(unsafeBuffer: raw).dropFirst(14).prefix(29))
            ip.setFragment(dontFragment: false, moreFragments: true, offset: 0)
            ip.fillChecksum()
        }
        stack.inject(fragment, now: .zero)
        #expect(stack.receive(socket) == nil)
        #expect(stack.counters[.ipv4Fragment] == 1)
    }

    @Test func aFullReceiveQueueIsACountedDrop() {
        var limits = Hosts.quiet
        limits.socketReceivePackets = 4
        var stack = NetworkStack(configuration: Hosts.owned(1, limits: limits))
        let socket = try! stack.openUDP(port: 7)
        for i in 0..<10 as Range<UInt8> {
            stack.inject(FrameFactory.udp(to: Hosts.address(1), mac: Hosts.mac(1), port: 7, payload: [i]), now: .zero)
        }
        #expect(stack.counters[.udpReceiveQueueFull] == 6)
        #expect((0..<4).map { _ in stack.receive(socket)?.payload } == [[0], [1], [2], [3]])
        #expect(stack.nextEvent() == .udpReadable(socket))
        #expect(stack.nextEvent() == nil)
    }

    @Test func aFullTransmitQueueRefusesThenSignalsWritable() {
        var limits = Hosts.quiet
        limits.socketTransmitPackets = 2
        var stack = NetworkStack(configuration: Hosts.owned(1, limits: limits))
        stack.inject(FrameFactory.arp(.request, target: Hosts.address(1)), now: .zero)
        _ = stack.drain(now: .zero)
        let socket = try! stack.openUDP(port: 7)
        let peer = UDPEndpoint(address: Hosts.strangerAddress, port: 9)
        try! stack.send(socket, [1], to: peer, now: .zero)
        try! stack.send(socket, [2], to: peer, now: .zero)
        #expect(throws: SendError.queueFull) { try stack.send(socket, [3], to: peer, now: .zero) }
        #expect(stack.drain(now: .zero).count == 2)
        #expect(stack.nextEvent() == .udpWritable(socket))
    }

    /// Sends `count` numbered datagrams from stack 0 to stack 1, one per millisecond, over
    /// `profile` with `seed`, and returns the sequence numbers in the order they arrived.
    static func transfer(count: Int, profile: ImpairmentProfile, seed: UInt64) -> [UInt32] {
        var simulation = Simulation([Hosts.owned(1), Hosts.owned(2)], profile: profile, seed: seed)
        let sender = try! simulation.stacks[0].openUDP(port: 1000)
        let receiver = try! simulation.stacks[1].openUDP(port: 2000)
        let peer = UDPEndpoint(address: Hosts.address(2), port: 2000)
        var arrived: [UInt32] = []
        func collect(_ simulation: inout Simulation) {
            while let datagram = simulation.stacks[1].receive(receiver) {
                let bytes = datagram.payload
                // Each payload: 4 bytes of sequence, then 60 bytes derived from it.
                let sequence = bytes.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                #expect(bytes == payload(sequence), "seed \(seed): datagram \(sequence) changed in flight")
                arrived.append(sequence)
            }
        }
        for sequence in 0..<UInt32(count) {
            try! simulation.stacks[0].send(sender, payload(sequence), to: peer, now: simulation.now)
            simulation.advance(by: .milliseconds(1))
            collect(&simulation)
        }
        simulation.advance(by: .seconds(1))
        collect(&simulation)
        return arrived
    }

    static func payload(_ sequence: UInt32) -> [UInt8] {
        let header = (0..<4).map { UInt8(truncatingIfNeeded: sequence >> (24 - 8 * UInt32($0))) }
        return header + (0..<60).map { UInt8(truncatingIfNeeded: sequence &* 31 &+ UInt32($0)) }
    }

    @Test(arguments: [101, 202, 303] as [UInt64]) func twoStacksExchangeOverFivePercentLossAndReordering(seed: UInt64) {
        var profile = ImpairmentProfile.loss(0.05)
        profile.reorder = 0.1
        profile.reorderGap = 3_000_000
        profile.delay = 2_000_000
        profile.jitter = 500_000
        profile.duplicate = 0.01
        let count = 2000
        let arrived = Self.transfer(count: count, profile: profile, seed: seed)
        let distinct = Set(arrived)
        let lossRate = 1 - Double(distinct.count) / Double(count)
        // Both directions lose 5% (ARP too); the datagrams themselves lose about 5%.
        #expect(lossRate > 0.02 && lossRate < 0.09, "seed \(seed): loss \(lossRate)")
        #expect(distinct.isSubset(of: Set(0..<UInt32(count))), "seed \(seed)")
        let overtaken = zip(arrived, arrived.dropFirst()).filter { $0.0 > $0.1 }.count
        #expect(overtaken > 50, "seed \(seed): only \(overtaken) reorderings seen")
        #expect(arrived.count > distinct.count, "seed \(seed): duplication never showed")
        // The same seed replays the same run, datagram for datagram.
        #expect(Self.transfer(count: count, profile: profile, seed: seed) == arrived, "seed \(seed) did not replay")
    }
}

extension StackUDPTests {
    @Test func aServerOnASharedAddressAnswersWithoutARPByLearningFromTheDatagram() {
        var stack = NetworkStack(configuration: Hosts.shared(3))
        let socket = try! stack.openUDP(port: 5000)
        stack.inject(
            FrameFactory.udp(to: Hosts.address(3), mac: Hosts.mac(3), port: 5000, payload: [1, 2]), now: .zero)
        let request = stack.receive(socket)!
        try! stack.send(socket, request.payload, to: request.source, now: .zero)
        #expect(
            stack.drain(now: .zero) == [
                .udp(to: Hosts.strangerAddress, destinationMAC: Hosts.stranger, port: 40000, payload: [1, 2])
            ])
        // A datagram nobody took teaches nothing.
        var other = NetworkStack(configuration: Hosts.shared(3))
        let unrelated = try! other.openUDP(port: 5001)
        other.inject(FrameFactory.udp(to: Hosts.address(3), mac: Hosts.mac(3), port: 5000, payload: [1]), now: .zero)
        try! other.send(unrelated, [1], to: UDPEndpoint(address: Hosts.strangerAddress, port: 9), now: .zero)
        #expect(
            other.drain(now: .zero) == [
                .arpRequest(sender: Hosts.address(3), target: Hosts.strangerAddress, destination: .broadcast)
            ])
    }
}

extension StackUDPTests {
    @Test func socketsClosedWithDatagramsQueuedOrWaitingForARPLeaveNoTrace() {
        var limits = Hosts.quiet
        limits.udpSockets = 8
        var stack = NetworkStack(configuration: Hosts.owned(1, limits: limits))
        stack.inject(FrameFactory.arp(.request, target: Hosts.address(1)), now: .zero)
        _ = stack.drain(now: .zero)
        let known = UDPEndpoint(address: Hosts.strangerAddress, port: 9)
        // Every socket queues a datagram and closes before it leaves, twice over: their
        // turns are stale, and the table's slots are reused with new generations.
        for round in 0..<2 as Range<UInt8> {
            let sockets = (0..<8).map { _ in try! stack.openUDP(port: 0) }
            for socket in sockets { try! stack.send(socket, [round], to: known, now: .zero) }
            for socket in sockets { stack.close(socket) }
        }
        let survivors = (0..<8).map { _ in try! stack.openUDP(port: 0) }
        for socket in survivors { try! stack.send(socket, [7], to: known, now: .zero) }
        let sent = stack.drain(now: .zero)
        #expect(
            sent
                == Array(
                    repeating: .udp(to: Hosts.strangerAddress, destinationMAC: Hosts.stranger, port: 9, payload: [7]),
                    count: 8))
        // A socket closed while its datagram waits for ARP: the give-up finds no one to tell.
        for socket in survivors { stack.close(socket) }
        let doomed = try! stack.openUDP(port: 0)
        try! stack.send(doomed, [1], to: UDPEndpoint(address: Hosts.address(99), port: 9), now: .seconds(1))
        _ = stack.drain(now: .seconds(1))
        stack.close(doomed)
        while let deadline = stack.nextDeadline, deadline < .seconds(100) { _ = stack.drain(now: deadline) }
        #expect(stack.counters[.neighborUnresolved] == 1)
        #expect(stack.nextEvent() == nil)
    }
}
