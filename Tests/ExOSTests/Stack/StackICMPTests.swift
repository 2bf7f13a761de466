// ICMP in the stack: echo answered for owned addresses only, pingers both ways with round
// trips, port unreachable and its rate limit, and errors reaching the socket they concern.

import ExoImpairment
import ExoPacket
import Testing

@testable import ExOS

@Suite struct StackICMPTests {
    @Test func anEchoRequestToAnOwnedAddressIsAnsweredWithItsData() {
        var stack = NetworkStack(configuration: Hosts.owned(1))
        stack.inject(FrameFactory.echoRequest(to: Hosts.address(1), mac: Hosts.mac(1), identifier: 7, sequence: 3, data: [9, 8, 7]), now: .zero)
        #expect(stack.drain(now: .zero) == [.echoReply(to: Hosts.strangerAddress, identifier: 7, sequence: 3, data: [9, 8, 7])])
        #expect(stack.counters.echoRepliesSent == 1)
    }

    @Test func anEchoRequestToASharedAddressIsLeftToTheDaemon() {
        var stack = NetworkStack(configuration: Hosts.shared(3))
        stack.inject(FrameFactory.echoRequest(to: Hosts.address(3), mac: Hosts.mac(3)), now: .zero)
        #expect(stack.drain(now: .zero) == [])
        #expect(stack.counters[.icmpEchoForSharedAddress] == 1)
    }

    @Test func pingersOnTwoStacksPingEachOtherAndMeasureTheRoundTrip() {
        var profile = ImpairmentProfileFixture.delay(milliseconds: 5)
        profile.jitter = 0
        var simulation = Simulation([Hosts.owned(1), Hosts.owned(2)], profile: profile, seed: 21)
        let fromOne = try! simulation.stacks[0].openPinger(identifier: 1)
        let fromTwo = try! simulation.stacks[1].openPinger(identifier: 2)
        for sequence in 0..<3 as Range<UInt16> {
            try! simulation.stacks[0].ping(fromOne, to: Hosts.address(2), sequence: sequence, now: simulation.now)
            try! simulation.stacks[1].ping(fromTwo, to: Hosts.address(1), sequence: sequence, dataLength: 100, now: simulation.now)
        }
        var repliesOne: [PingReply] = []
        var repliesTwo: [PingReply] = []
        simulation.run(for: .seconds(2)) { simulation in
            while case .reply(let reply)? = simulation.stacks[0].nextPingEvent(fromOne) { repliesOne.append(reply) }
            while case .reply(let reply)? = simulation.stacks[1].nextPingEvent(fromTwo) { repliesTwo.append(reply) }
            return repliesOne.count == 3 && repliesTwo.count == 3
        }
        #expect(repliesOne.map(\.sequence) == [0, 1, 2])
        #expect(repliesTwo.map(\.sequence) == [0, 1, 2])
        #expect(repliesOne.allSatisfy { $0.from == Hosts.address(2) && $0.dataLength == 56 })
        #expect(repliesTwo.allSatisfy { $0.from == Hosts.address(1) && $0.dataLength == 100 })
        // All three waited for ARP: each side's request reached the other at 5 ms and taught
        // it the asker's MAC (RFC 826), so the echoes left then and the replies came at 15 ms.
        #expect(repliesOne.allSatisfy { $0.roundTrip == .milliseconds(15) })
        #expect(repliesTwo.allSatisfy { $0.roundTrip == .milliseconds(15) })
    }

    @Test func aPingerOnASharedAddressUsesOnlyGrantedIdentifiers() {
        var stack = NetworkStack(configuration: Hosts.shared(3))
        #expect(throws: StackError.notGranted) { try stack.openPinger(identifier: 99) }
        let pinger = try! stack.openPinger(identifier: 100)
        #expect(throws: StackError.endpointInUse) { try stack.openPinger(identifier: 100) }
        try! stack.ping(pinger, to: Hosts.address(1), sequence: 1, now: .zero)
        #expect(stack.drain(now: .zero) == [.arpRequest(sender: Hosts.address(3), target: Hosts.address(1), destination: .broadcast)])
        stack.close(pinger)
        #expect((try? stack.openPinger(identifier: 100)) != nil)
    }

    @Test func aDatagramToAnUnboundPortIsAnsweredPortUnreachableAndTheSenderIsTold() {
        var simulation = Simulation([Hosts.owned(1), Hosts.owned(2)], seed: 22)
        let socket = try! simulation.stacks[0].openUDP(port: 1000)
        let closed = UDPEndpoint(address: Hosts.address(2), port: 4444)
        try! simulation.stacks[0].send(socket, [1, 2, 3], to: closed, now: simulation.now)
        var error: SocketError?
        simulation.run(for: .seconds(1)) { error = $0.stacks[0].takeError(socket); return error != nil }
        guard case .icmp(let report)? = error else {
            Issue.record("no error reached the socket: \(String(describing: error))")
            return
        }
        #expect(report.isPortUnreachable && report.reporter == Hosts.address(2))
        #expect(report.destination == Hosts.address(2) && report.destinationPort == 4444)
        #expect(simulation.stacks[1].counters[.udpNoSocket] == 1)
        #expect(simulation.stacks[1].counters.icmpErrorsSent == 1)
    }

    @Test func portUnreachableIsRateLimitedAndRecovers() {
        var stack = NetworkStack(configuration: Hosts.owned(1))
        let burst = StackLimits().icmpErrorBurst
        let probe = FrameFactory.udp(to: Hosts.address(1), mac: Hosts.mac(1), port: 4444, payload: [0])
        for _ in 0..<50 { stack.inject(probe, now: .seconds(1)) }
        let first = stack.drain(now: .seconds(1))
        #expect(first.count == burst)
        #expect(first.allSatisfy { $0 == .unreachable(to: Hosts.strangerAddress, code: 3, quotedPort: 4444) })
        #expect(stack.counters[.icmpErrorRateLimited] == UInt64(50 - burst))
        #expect(stack.counters[.udpNoSocket] == 50)
        // 250 ms later, two more tokens have been earned (one per 100 ms).
        for _ in 0..<10 { stack.inject(probe, now: .milliseconds(1250)) }
        #expect(stack.drain(now: .milliseconds(1250)).count == 2)
    }

    @Test func noErrorIsSentFromASharedAddress() {
        var stack = NetworkStack(configuration: Hosts.shared(3))
        stack.inject(FrameFactory.udp(to: Hosts.address(3), mac: Hosts.mac(3), port: 5001, payload: [0]), now: .zero)
        #expect(stack.drain(now: .zero) == [])
        #expect(stack.counters[.udpNoSocket] == 1 && stack.counters.icmpErrorsSent == 0)
    }

    @Test func anErrorQuotingAnEchoRequestReachesThePinger() {
        var simulation = Simulation([Hosts.owned(1), Hosts.owned(2)], seed: 23)
        let pinger = try! simulation.stacks[0].openPinger(identifier: 5)
        try! simulation.stacks[0].ping(pinger, to: Hosts.address(2), sequence: 9, now: simulation.now)
        simulation.run(for: .seconds(1)) { $0.network.isIdle && $0.stacks[0].counters.echoRequestsSent == 1 }
        // Station 1 answers nothing more; forge the router's error from what was sent.
        var stack = simulation.stacks[0]
        let quoted = echoRequestHeader(from: Hosts.address(1), to: Hosts.address(2), identifier: 5, sequence: 9)
        stack.inject(FrameFactory.icmpError(type: 11, code: 0, quoting: quoted, to: Hosts.address(1), mac: Hosts.mac(1)), now: simulation.now)
        var events: [PingEvent] = []
        while let event = stack.nextPingEvent(pinger) { events.append(event) }
        #expect(events.contains { if case .error(let r) = $0 { r.type == 11 && r.destinationPort == 9 } else { false } })
    }

    /// An IPv4 header and the first 8 bytes of an echo request, as an error would quote them.
    func echoRequestHeader(from source: IPv4Address, to destination: IPv4Address, identifier: UInt16, sequence: UInt16) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 28)
        MutablePacketBytes.with(&bytes) { b in
            _ = try! IPv4Repr(source: source, destination: destination, protocol: .icmp, payloadLength: 8).emit(into: b)
            _ = try! ICMPv4Repr.echoRequest(identifier: identifier, sequence: sequence, dataLength: 0).emit(into: b.dropFirst(20))
        }
        return bytes
    }
}

enum ImpairmentProfileFixture {
    static func delay(milliseconds: UInt64) -> ImpairmentProfile {
        var profile = ImpairmentProfile()
        profile.delay = milliseconds * 1_000_000
        return profile
    }
}

extension FrameFactory {
    /// An ICMP error of `type`/`code` from a router (the stranger) quoting `quote`.
    static func icmpError(type: UInt8, code: UInt8, quoting quote: [UInt8], to destination: IPv4Address, mac: MACAddress) -> [UInt8] {
        let message = ICMPv4Repr.error(type: ICMPv4Type(rawValue: type), code: code, restOfHeader: 0, quoteLength: quote.count)
        var frame = [UInt8](repeating: 0, count: EthernetPacket.headerLength + IPv4Packet.minimumHeaderLength + message.length)
        MutablePacketBytes.with(&frame) { bytes in
            EthernetRepr(destination: mac, source: Hosts.stranger, etherType: .ipv4).emit(into: try! MutableEthernetPacket(checking: bytes))
            let ip = bytes.dropFirst(EthernetPacket.headerLength)
            let icmp = ip.dropFirst(IPv4Packet.minimumHeaderLength)
            for (i, byte) in quote.enumerated() { icmp.setU8(ICMPv4Message.headerLength + i, byte) }
            _ = try! message.emit(into: icmp)
            _ = try! IPv4Repr(source: Hosts.strangerAddress, destination: destination, protocol: .icmp, payloadLength: message.length)
                .emit(into: ip)
        }
        return frame
    }
}
