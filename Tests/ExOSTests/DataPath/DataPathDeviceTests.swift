// The stack on the data path's rings, against the in-process daemon role: an echo request
// delivered on rx is answered on tx, the frames go back to fill and the transmit pool, and
// a UDP socket's datagram leaves through a transmit frame.

import ExoPacket
import ExoPlatform
import ExoWire
import Testing

@testable import ExOS

@Suite struct DataPathDeviceTests {
    static let tenant = IPv4Address(10, 0, 0, 1)
    static let tenantMAC = MACAddress(0x02, 0, 0, 0, 0, 1)
    static let gatewayMAC = MACAddress(0x02, 0, 0, 0, 0, 0xFE)

    static func configuration() -> StackConfiguration {
        var limits = StackLimits()
        limits.announcements = 0
        return StackConfiguration(
            addresses: [LocalAddress(address: tenant, mac: tenantMAC, owned: true)], prefixLength: 24,
            gateway: IPv4Address(10, 0, 0, 254), gatewayMAC: gatewayMAC, limits: limits)
    }

    /// An echo request from the gateway (so its MAC is known) to the tenant.
    static func echoRequest(sequence: UInt16) -> [UInt8] {
        let message = ICMPv4Repr.echoRequest(identifier: 9, sequence: sequence, dataLength: 4)
        var frame = [UInt8](repeating: 0, count: 14 + 20 + message.length)
        MutablePacketBytes.with(&frame) { bytes in
            EthernetRepr(destination: tenantMAC, source: gatewayMAC, etherType: .ipv4).emit(
                into: try! MutableEthernetPacket(checking: bytes))
            for i in 0..<4 { bytes.setU8(42 + i, UInt8(i)) }
            _ = try! message.emit(into: bytes.dropFirst(34))
            _ = try! IPv4Repr(
                source: IPv4Address(10, 0, 0, 254), destination: tenant, protocol: .icmp, payloadLength: message.length
            )
            .emit(into: bytes.dropFirst(14))
        }
        return frame
    }

    @Test func anEchoRequestOnRxIsAnsweredOnTxInPlaceOfRingFrames() throws {
        let daemon = try DaemonRole(capacity: 16)
        let path = try daemon.makeDataPath()
        try path.postFill(daemon.makeFrames(0..<4))
        try path.addTransmitFrames(daemon.makeFrames(100..<104))
        path.flush()
        var device = DataPathDevice(dataPath: path)
        var stack = NetworkStack(configuration: Self.configuration())
        for sequence in 1...3 as ClosedRange<UInt16> {
            try #require(try daemon.deliver(Self.echoRequest(sequence: sequence)) != nil)
        }
        let outcome = device.poll(&stack, now: .zero)
        #expect(outcome.received == 3 && outcome.transmitted == 3)
        let sent = try daemon.takeTransmitted()
        #expect(sent.count == 3)
        for (index, (frame, bytes)) in sent.enumerated() {
            #expect((100..<104).contains(frame))
            guard let ethernet = bytes.withUnsafeBytes({ try? EthernetPacket(checking: PacketBytes(unsafeBuffer: $0)) })
            else {
                Issue.record("not a frame")
                continue
            }
            _ = ethernet
            let reply = bytes.withUnsafeBytes { raw -> (UInt8, UInt16, MACAddress)? in
                let bytes = PacketBytes(unsafeBuffer: raw)
                guard let ip = try? IPv4Packet(checking: bytes.dropFirst(14)), ip.checksumIsValid,
                    let icmp = try? ICMPv4Message(checking: ip.payload), icmp.checksumIsValid
                else { return nil }
                return (icmp.type.rawValue, icmp.sequence, MACAddress(bytes, at: 0))
            }
            #expect(reply?.0 == 0 && reply?.1 == UInt16(index + 1) && reply?.2 == Self.gatewayMAC)
            try daemon.complete(frame)
        }
        // The received frames went back to fill; the transmit frames return on completion.
        path.flush()
        #expect(try daemon.takeFill() == 3)
        #expect(path.census()[.free] == 4)
    }

    @Test func aDatagramLeavesThroughATransmitFrameAndWaitsWhenThePoolIsEmpty() throws {
        let daemon = try DaemonRole(capacity: 16)
        let path = try daemon.makeDataPath()
        try path.postFill(daemon.makeFrames(0..<2))
        try path.addTransmitFrames(daemon.makeFrames(100..<101))
        path.flush()
        var device = DataPathDevice(dataPath: path)
        var stack = NetworkStack(configuration: Self.configuration())
        let socket = try stack.openUDP(port: 7)
        let faraway = UDPEndpoint(address: IPv4Address(192, 0, 2, 9), port: 9)
        try stack.send(socket, [1], to: faraway, now: .zero)
        try stack.send(socket, [2], to: faraway, now: .zero)
        let first = device.poll(&stack, now: .zero)
        #expect(first.transmitted == 1 && first.deviceFull)
        #expect(stack.nextDeadline == .zero)  // the second datagram still waits for a frame
        let sent = try daemon.takeTransmitted()
        #expect(
            sent.count == 1
                && MACAddress(sent[0].bytes.withUnsafeBytes { PacketBytes(unsafeBuffer: $0) }, at: 0) == Self.gatewayMAC
        )
        try daemon.complete(sent[0].frame)
        let second = device.poll(&stack, now: .milliseconds(1))
        #expect(second.transmitted == 1)
        #expect(try daemon.takeTransmitted().first?.bytes.last == 2)
    }

    @Test func theDriversClockIsMonotonic() {
        let first = Instant.monotonicNow()
        let second = Instant.monotonicNow()
        #expect(first.nanoseconds > 0 && second >= first)
    }

    @Test func aStackOnTheRingsTalksUDPWithAStackOnTheOtherSide() throws {
        // Stack A (10.0.0.1) sits on the data path; stack B (10.0.0.2) is the peer the
        // daemon role relays to: A's tx frames go into B, B's frames are delivered on A's rx.
        let daemon = try DaemonRole(capacity: 32)
        let path = try daemon.makeDataPath()
        try path.postFill(daemon.makeFrames(0..<16))
        try path.addTransmitFrames(daemon.makeFrames(100..<116))
        path.flush()
        var device = DataPathDevice(dataPath: path)
        var a = NetworkStack(configuration: Self.configuration())
        var limits = StackLimits()
        limits.announcements = 0
        var b = NetworkStack(
            configuration: StackConfiguration(
                addresses: [
                    LocalAddress(address: IPv4Address(10, 0, 0, 2), mac: MACAddress(0x02, 0, 0, 0, 0, 2), owned: true)
                ],
                prefixLength: 24, limits: limits))
        let client = try a.openUDP(port: 1000)
        let server = try b.openUDP(port: 7)
        var now = Instant.zero
        var answers: [[UInt8]] = []
        for round in 0..<5 as Range<UInt8> {
            try a.send(client, [round, 1, 2, 3], to: UDPEndpoint(address: IPv4Address(10, 0, 0, 2), port: 7), now: now)
            for _ in 0..<6 {
                device.poll(&a, now: now)
                for (frame, bytes) in try daemon.takeTransmitted() {
                    bytes.withUnsafeBytes { b.receive(frame: PacketBytes(unsafeBuffer: $0), now: now) }
                    try daemon.complete(frame)
                }
                while let request = b.receive(server) {
                    try b.send(server, request.payload, to: request.source, now: now)
                }
                var buffer = [UInt8](repeating: 0, count: 1514)
                while let length = MutablePacketBytes.with(&buffer, { b.transmit(now: now, into: $0) }) {
                    try #require(try daemon.deliver(Array(buffer.prefix(length))) != nil)
                }
                now = now + .milliseconds(1)
            }
            while let reply = a.receive(client) { answers.append(reply.payload) }
        }
        #expect(answers == (0..<5).map { [$0, 1, 2, 3] })
        #expect(a.counters.arpRequestsSent == 1 && b.counters.arpRepliesSent == 1)
        #expect(a.counters.totalDrops == 0 && b.counters.totalDrops == 0)
        #expect(path.counters.received == 6 && path.counters.transmitted == 6)  // one ARP each way, five datagrams
    }
}
