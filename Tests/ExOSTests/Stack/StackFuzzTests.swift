// Hostile input at the stack's receive path: 100,000 random and mutated frames. Nothing
// may crash or trap, the counters of the checks that fired must rise, and afterwards the
// stack still answers a valid echo request and delivers a valid datagram.

import ExoImpairment
import ExoPacket
import Testing

@testable import ExOS

@Suite struct StackFuzzTests {
    /// Valid frames of every kind the stack handles, to mutate.
    static func seeds() -> [[UInt8]] {
        let me = Hosts.address(1)
        let mac = Hosts.mac(1)
        var quoted = FrameFactory.udp(from: me, sourceMAC: mac, to: Hosts.strangerAddress, mac: Hosts.stranger, sourcePort: 7, port: 9, payload: [1, 2, 3, 4, 5, 6, 7, 8])
        quoted.removeFirst(EthernetPacket.headerLength)
        return [
            FrameFactory.arp(.request, target: me),
            FrameFactory.arp(.reply, targetMAC: mac, target: me, to: mac),
            FrameFactory.echoRequest(to: me, mac: mac, data: Array(0..<32)),
            FrameFactory.udp(to: me, mac: mac, port: 7, payload: Array(0..<40)),
            FrameFactory.udp(to: me, mac: mac, port: 4444, payload: [1]),
            FrameFactory.udp(to: me, mac: mac, port: 7, payload: [9], options: [7, 7, 4, 0, 0, 0, 0, 0]),
            FrameFactory.icmpError(type: 3, code: 3, quoting: Array(quoted.prefix(28)), to: me, mac: mac),
        ]
    }

    static func mutate(_ frame: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        var frame = frame
        switch random.below(6) {
        case 0:
            // Flip a few bits anywhere.
            for _ in 0...random.below(4) {
                let bit = Int(random.below(UInt64(frame.count * 8)))
                frame[bit / 8] ^= 1 << UInt8(bit % 8)
            }
        case 1:
            // Truncate.
            frame.removeLast(Int(random.below(UInt64(frame.count))))
        case 2:
            // Overwrite a header byte (lengths, IHL, types, ports live there).
            frame[Int(random.below(UInt64(min(frame.count, 50))))] = UInt8(truncatingIfNeeded: random.next())
        case 3:
            // Append garbage (padding, or a length field that lies).
            frame += (0..<random.below(64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        case 4:
            // Random bytes after a valid Ethernet header.
            frame = Array(frame.prefix(14)) + (0..<random.below(100)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        default:
            // Entirely random.
            frame = (0..<random.below(200)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        }
        return frame
    }

    @Test func aHundredThousandHostileFramesNeitherCrashNorStopService() {
        let seed: UInt64 = 0xF00D
        var random = SeededRandom(seed: seed)
        var stack = NetworkStack(configuration: Hosts.owned(1))
        let socket = try! stack.openUDP(port: 7)
        let pinger = try! stack.openPinger(identifier: 0x1234)
        let seeds = Self.seeds()
        var buffer = [UInt8](repeating: 0, count: 1514)
        var now = Instant.zero
        for round in 0..<100_000 {
            let frame = Self.mutate(seeds[round % seeds.count], &random)
            stack.inject(frame, now: now)
            if round % 16 == 0 {
                // Drain like a driver: the transmit path must also survive what was learned.
                while MutablePacketBytes.with(&buffer, { stack.transmit(now: now, into: $0) }) != nil {}
                while stack.receive(socket) != nil {}
                while stack.nextPingEvent(pinger) != nil {}
                while stack.nextEvent() != nil {}
                now = now + .milliseconds(7)
            }
        }
        let counters = stack.counters
        for reason in [
            DropReason.ethernetTruncated, .ethernetNotForUs, .ethernetUnknownType, .arpMalformed, .ipv4Malformed,
            .ipv4BadChecksum, .icmpBadChecksum, .udpBadChecksum, .udpNoSocket,
        ] {
            #expect(counters[reason] > 0, "seed \(seed): \(reason) never fired")
        }
        #expect(counters.totalDrops > 50_000, "seed \(seed)")
        // Still serving: a valid echo request is answered, a valid datagram delivered.
        while MutablePacketBytes.with(&buffer, { stack.transmit(now: now, into: $0) }) != nil {}
        while stack.receive(socket) != nil {}
        stack.inject(FrameFactory.echoRequest(to: Hosts.address(1), mac: Hosts.mac(1), identifier: 1, sequence: 2, data: [7]), now: now)
        #expect(stack.drain(now: now).contains(.echoReply(to: Hosts.strangerAddress, identifier: 1, sequence: 2, data: [7])), "seed \(seed)")
        stack.inject(FrameFactory.udp(to: Hosts.address(1), mac: Hosts.mac(1), port: 7, payload: [42]), now: now)
        #expect(stack.receive(socket)?.payload == [42], "seed \(seed)")
    }
}
