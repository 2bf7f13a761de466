// Shared fixtures for the stack's tests: two or three hosts on 10.0.0.0/24, frames built
// from ExoPacket's representations for injection, and a way to collect what a stack sends.

import ExoImpairment
import ExoPacket
import Testing

@testable import ExOS

enum Hosts {
    static let subnetPrefix: UInt8 = 24
    static func address(_ host: UInt8) -> IPv4Address { IPv4Address(10, 0, 0, host) }
    static func mac(_ host: UInt8) -> MACAddress { MACAddress(0x02, 0, 0, 0, 0, host) }
    /// The MAC of a peer that is not a stack (an injected sender).
    static let stranger = MACAddress(0x02, 0, 0, 0, 0, 0xEE)
    static let strangerAddress = IPv4Address(10, 0, 0, 200)

    /// Limits without gratuitous ARPs, for tests whose frames they would interleave.
    static var quiet: StackLimits {
        var limits = StackLimits()
        limits.announcements = 0
        return limits
    }

    /// A host owning 10.0.0.`host` whole.
    static func owned(_ host: UInt8, limits: StackLimits = quiet) -> StackConfiguration {
        StackConfiguration(
            addresses: [LocalAddress(address: address(host), mac: mac(host), owned: true)], prefixLength: subnetPrefix,
            limits: limits, secret: UInt64(host) &* 0x9E37_79B9)
    }

    /// A host on shared address 10.0.0.`host` (the daemon's MAC) with UDP ports 5000-5009
    /// and echo identifiers 100-109 granted.
    static func shared(_ host: UInt8) -> StackConfiguration {
        StackConfiguration(
            addresses: [LocalAddress(address: address(host), mac: mac(host), owned: false)], prefixLength: subnetPrefix,
            grants: [
                EndpointGrant(proto: .udp, address: address(host), ports: 5000...5009),
                EndpointGrant(proto: .icmp, address: address(host), ports: 100...109),
            ])
    }
}

/// Builds frames to inject, from the representations (the stack's parser is under test).
enum FrameFactory {
    static func udp(
        from source: IPv4Address = Hosts.strangerAddress, sourceMAC: MACAddress = Hosts.stranger,
        to destination: IPv4Address, mac: MACAddress, sourcePort: UInt16 = 40000, port: UInt16, payload: [UInt8],
        options: [UInt8] = [], zeroChecksum: Bool = false
    ) -> [UInt8] {
        let udpLength = UDPDatagram.headerLength + payload.count
        let ipHeader = IPv4Packet.minimumHeaderLength + options.count
        var frame = [UInt8](repeating: 0, count: EthernetPacket.headerLength + ipHeader + udpLength)
        MutablePacketBytes.with(&frame) { bytes in
            EthernetRepr(destination: mac, source: sourceMAC, etherType: .ipv4).emit(
                into: try! MutableEthernetPacket(checking: bytes))
            let ip = bytes.dropFirst(EthernetPacket.headerLength)
            let datagram = ip.dropFirst(ipHeader)
            for (i, byte) in payload.enumerated() { datagram.setU8(UDPDatagram.headerLength + i, byte) }
            _ = try! UDPRepr(sourcePort: sourcePort, destinationPort: port, payloadLength: payload.count)
                .emit(into: datagram, source: source, destination: destination)
            if zeroChecksum { datagram.setU16(6, 0) }
            _ = try! IPv4Repr(source: source, destination: destination, protocol: .udp, payloadLength: udpLength)
                .emit(into: ip.prefix(IPv4Packet.minimumHeaderLength + udpLength))
            if !options.isEmpty {
                // Rewrite as a header with options: IHL, length, options, checksum.
                ip.setU8(0, UInt8(0x40 | ipHeader / 4))
                ip.setU16(2, UInt16(ipHeader + udpLength))
                for (i, byte) in options.enumerated() { ip.setU8(IPv4Packet.minimumHeaderLength + i, byte) }
                try! MutableIPv4Packet(checking: ip.prefix(ipHeader + udpLength)).fillChecksum()
            }
        }
        return frame
    }

    static func echoRequest(
        from source: IPv4Address = Hosts.strangerAddress, sourceMAC: MACAddress = Hosts.stranger,
        to destination: IPv4Address, mac: MACAddress, identifier: UInt16 = 0x1234, sequence: UInt16 = 1,
        data: [UInt8] = [1, 2, 3, 4]
    ) -> [UInt8] {
        let message = ICMPv4Repr.echoRequest(identifier: identifier, sequence: sequence, dataLength: data.count)
        var frame = [UInt8](
            repeating: 0, count: EthernetPacket.headerLength + IPv4Packet.minimumHeaderLength + message.length)
        MutablePacketBytes.with(&frame) { bytes in
            EthernetRepr(destination: mac, source: sourceMAC, etherType: .ipv4).emit(
                into: try! MutableEthernetPacket(checking: bytes))
            let ip = bytes.dropFirst(EthernetPacket.headerLength)
            let icmp = ip.dropFirst(IPv4Packet.minimumHeaderLength)
            for (i, byte) in data.enumerated() { icmp.setU8(ICMPv4Message.headerLength + i, byte) }
            _ = try! message.emit(into: icmp)
            _ = try! IPv4Repr(source: source, destination: destination, protocol: .icmp, payloadLength: message.length)
                .emit(into: ip)
        }
        return frame
    }

    static func arp(
        _ operation: ARPOperation, senderMAC: MACAddress = Hosts.stranger, sender: IPv4Address = Hosts.strangerAddress,
        targetMAC: MACAddress = .zero, target: IPv4Address, to destination: MACAddress = .broadcast
    ) -> [UInt8] {
        var frame = [UInt8](repeating: 0, count: EthernetPacket.headerLength + ARPPacket.length)
        MutablePacketBytes.with(&frame) { bytes in
            EthernetRepr(destination: destination, source: senderMAC, etherType: .arp).emit(
                into: try! MutableEthernetPacket(checking: bytes))
            ARPRepr(
                operation: operation, senderHardware: senderMAC, senderProtocol: sender, targetHardware: targetMAC,
                targetProtocol: target
            )
            .emit(into: bytes.dropFirst(EthernetPacket.headerLength))
        }
        return frame
    }
}

/// What a sent frame is, read back with ExoPacket's views.
enum SentFrame: Equatable {
    case arpRequest(sender: IPv4Address, target: IPv4Address, destination: MACAddress)
    case arpReply(sender: IPv4Address, target: IPv4Address, destination: MACAddress)
    case echoRequest(to: IPv4Address, identifier: UInt16, sequence: UInt16)
    case echoReply(to: IPv4Address, identifier: UInt16, sequence: UInt16, data: [UInt8])
    case unreachable(to: IPv4Address, code: UInt8, quotedPort: UInt16)
    case udp(to: IPv4Address, destinationMAC: MACAddress, port: UInt16, payload: [UInt8])
    case other([UInt8])

    init(_ frame: [UInt8]) {
        self = frame.withUnsafeBytes { raw in
            let bytes = PacketBytes(unsafeBuffer: raw)
            guard let ethernet = try? EthernetPacket(checking: bytes) else { return .other(frame) }
            if ethernet.etherType == .arp, let arp = try? ARPPacket(checking: ethernet.payload) {
                return arp.operation == .request
                    ? .arpRequest(
                        sender: arp.senderProtocol, target: arp.targetProtocol, destination: ethernet.destination)
                    : .arpReply(
                        sender: arp.senderProtocol, target: arp.targetProtocol, destination: ethernet.destination)
            }
            guard let ip = try? IPv4Packet(checking: ethernet.payload), ip.checksumIsValid else { return .other(frame) }
            if ip.protocol == .udp, let udp = try? UDPDatagram(checking: ip.payload),
                udp.checksumIsValid(source: ip.source, destination: ip.destination)
            {
                return .udp(
                    to: ip.destination, destinationMAC: ethernet.destination, port: udp.destinationPort,
                    payload: udp.payload.array)
            }
            if ip.protocol == .icmp, let icmp = try? ICMPv4Message(checking: ip.payload), icmp.checksumIsValid {
                switch icmp.type {
                case .echoRequest:
                    return .echoRequest(to: ip.destination, identifier: icmp.identifier, sequence: icmp.sequence)
                case .echoReply:
                    return .echoReply(
                        to: ip.destination, identifier: icmp.identifier, sequence: icmp.sequence, data: icmp.data.array)
                case .destinationUnreachable:
                    let quote = try? ICMPv4Quote(checking: icmp.data)
                    return .unreachable(to: ip.destination, code: icmp.code, quotedPort: quote?.destinationPort ?? 0)
                default: break
                }
            }
            return .other(frame)
        }
    }
}

extension NetworkStack {
    /// Feeds an array as a received frame.
    mutating func inject(_ frame: [UInt8], now: Instant) {
        frame.withUnsafeBytes { receive(frame: PacketBytes(unsafeBuffer: $0), now: now) }
    }

    /// Every frame the stack has to send at `now`, decoded.
    mutating func drain(now: Instant) -> [SentFrame] {
        var frames: [SentFrame] = []
        var buffer = [UInt8](repeating: 0, count: configuration.maximumFrameLength)
        while let length = MutablePacketBytes.with(&buffer, { transmit(now: now, into: $0) }) {
            frames.append(SentFrame(Array(buffer.prefix(length))))
        }
        return frames
    }

    /// Every frame the stack has to send at `now`, raw.
    mutating func drainRaw(now: Instant) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: configuration.maximumFrameLength)
        while let length = MutablePacketBytes.with(&buffer, { transmit(now: now, into: $0) }) {
            frames.append(Array(buffer.prefix(length)))
        }
        return frames
    }
}

extension Instant {
    static func seconds(_ value: UInt64) -> Instant { .zero + .seconds(value) }
    static func milliseconds(_ value: UInt64) -> Instant { .zero + .milliseconds(value) }
}
