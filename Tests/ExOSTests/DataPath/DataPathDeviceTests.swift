// The stack on the data path's rings, against the in-process daemon role: an echo request
// delivered on rx is answered on tx, the frames go back to fill and the transmit pool, and
// a UDP socket's datagram leaves through a transmit frame.

@testable import ExOS
import ExoPacket
import ExoPlatform
import ExoWire
import Testing

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
            EthernetRepr(destination: tenantMAC, source: gatewayMAC, etherType: .ipv4).emit(into: try! MutableEthernetPacket(checking: bytes))
            for i in 0..<4 { bytes.setU8(42 + i, UInt8(i)) }
            _ = try! message.emit(into: bytes.dropFirst(34))
            _ = try! IPv4Repr(source: IPv4Address(10, 0, 0, 254), destination: tenant, protocol: .icmp, payloadLength: message.length)
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
        for sequence in 1...3 as ClosedRange<UInt16> { try #require(try daemon.deliver(Self.echoRequest(sequence: sequence)) != nil) }
        let outcome = stack.poll(&device, now: .zero)
        #expect(outcome.received == 3 && outcome.transmitted == 3)
        let sent = try daemon.takeTransmitted()
        #expect(sent.count == 3)
        for (index, (frame, bytes)) in sent.enumerated() {
            #expect((100..<104).contains(frame))
            guard let ethernet = bytes.withUnsafeBytes({ try? EthernetPacket(checking: PacketBytes(unsafeBuffer: $0)) }) else {
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
        let first = stack.poll(&device, now: .zero)
        #expect(first.transmitted == 1 && first.deviceFull)
        #expect(stack.nextDeadline == .zero)  // the second datagram still waits for a frame
        let sent = try daemon.takeTransmitted()
        #expect(sent.count == 1 && MACAddress(sent[0].bytes.withUnsafeBytes { PacketBytes(unsafeBuffer: $0) }, at: 0) == Self.gatewayMAC)
        try daemon.complete(sent[0].frame)
        let second = stack.poll(&device, now: .milliseconds(1))
        #expect(second.transmitted == 1)
        #expect(try daemon.takeTransmitted().first?.bytes.last == 2)
    }
}
