// The strict rules both directions share: each malformed or forbidden frame is refused by
// the egress guard and dropped by the demultiplexer for the same, named reason.
import ExoCore
import ExoWire
import ExoPacket
import Testing

enum FaultCases {
    /// B's valid frames, which every case below corrupts.
    static let udp = Frames.udp(from: Net.addressB, 4000, to: Net.gateway, 5000)
    static let arp = Frames.arp(senderMAC: Net.macB, sender: Net.addressB, target: Net.gateway)
    static let echo = Frames.echo(from: Net.addressB, to: Net.gateway)
    static let unreachable = Frames.icmpError(from: Net.addressB, to: Net.gateway, quoting: Frames.udp(from: Net.gateway, 5000, to: Net.addressB, 9))

    static func editARP(_ offset: Int, _ value: UInt8) -> [UInt8] {
        var frame = arp
        frame[14 + offset] = value
        return frame
    }

    static func editICMP(_ frame: [UInt8], refill: Bool = true, _ edit: (inout [UInt8]) -> Void) -> [UInt8] {
        var copy = frame
        edit(&copy)
        if refill {
            copy[36] = 0
            copy[37] = 0
            let sum = copy.withUnsafeBytes { InternetChecksum.of(PacketBytes(unsafeBuffer: $0).dropFirst(34)) }
            copy[36] = UInt8(sum >> 8)
            copy[37] = UInt8(sum & 0xFF)
        }
        return copy
    }

    /// A frame whose IPv4 payload is `payload` verbatim (total length and checksum fixed).
    static func withIPPayload(_ frame: [UInt8], _ payload: [UInt8]) -> [UInt8] {
        let copy = Array(frame[0..<34]) + payload
        return Frames.editIP(copy) { $0.setU16(2, UInt16(20 + payload.count)) }
    }

    static let all: [(String, [UInt8], PacketFault)] = [
        ("13 bytes", Array(udp.prefix(13)), .truncatedEthernet),
        ("empty", [], .truncatedEthernet),
        ("802.3 / LLC spanning tree", Frames.withEtherType(udp, 0x0026), .notEthernetII),
        ("802.1Q tag", Frames.vlanTagged(udp), .vlanTagged),
        ("802.1ad tag", Frames.vlanTagged(udp, tpid: 0x88A8), .vlanTagged),
        ("legacy QinQ tag", Frames.vlanTagged(udp, tpid: 0x9100), .vlanTagged),
        ("tagged ARP", Frames.vlanTagged(arp), .vlanTagged),
        ("pause frame", Frames.withEtherType(udp, 0x8808), .pauseFrame),
        ("IPv6", Frames.withEtherType(udp, 0x86DD), .unsupportedEtherType),
        ("LLDP", Frames.withEtherType(udp, 0x88CC), .unsupportedEtherType),
        ("RARP", Frames.withEtherType(arp, 0x8035), .unsupportedEtherType),
        ("multicast source MAC", Frames.withSourceMAC(udp, MACAddress(0x01, 0, 0x5E, 0, 0, 1)), .multicastSource),
        ("broadcast source MAC", Frames.withSourceMAC(arp, .broadcast), .multicastSource),
        ("ARP of 27 bytes", Array(arp.prefix(41)), .malformedARP),
        ("ARP with 10 trailing bytes", arp + [UInt8](repeating: 0, count: 10), .malformedARP),
        ("ARP with 8-byte hardware addresses", editARP(4, 8), .malformedARP),
        ("ARP for IPv6", editARP(3, 0xDD), .malformedARP),
        ("ARP operation 3 (RARP)", editARP(7, 3), .unsupportedARPOperation),
        ("ARP operation 0", editARP(7, 0), .unsupportedARPOperation),
        ("IPv4 header of 19 bytes", Array(udp.prefix(33)), .truncatedIPv4),
        ("total length past the frame", Frames.editIP(udp) { $0.setU16(2, 200) }, .truncatedIPv4),
        ("version 6 in an IPv4 frame", Frames.editIP(udp) { $0.setU8(0, 0x65) }, .malformedIPv4),
        ("IHL 4", Frames.editIP(udp) { $0.setU8(0, 0x44) }, .malformedIPv4),
        ("IHL 0", Frames.editIP(udp) { $0.setU8(0, 0x40) }, .malformedIPv4),
        ("total length below IHL", Frames.editIP(udp) { $0.setU16(2, 19) }, .malformedIPv4),
        ("reserved flag", Frames.editIP(udp) { $0.setU16(6, 0x8000) }, .malformedIPv4),
        ("trailing bytes after the datagram", udp + [1, 2, 3], .ipLengthMismatch),
        ("total length shorter than the frame", Frames.editIP(udp) { $0.setU16(2, 28) }, .ipLengthMismatch),
        ("loose source route with pointer 0", Frames.withIPOption(udp, kind: 0x83), .malformedIPOptions),
        ("strict source route with pointer 0", Frames.withIPOption(udp, kind: 0x89), .malformedIPOptions),
        ("record route with pointer 0", Frames.withIPOption(echo, kind: 0x07), .malformedIPOptions),
        ("timestamp with pointer 4", Frames.withIPOptions(udp, [0x44, 4, 4, 0]), .malformedIPOptions),
        ("record route of 2 bytes", Frames.withIPOptions(udp, [0x07, 2, 0, 0]), .malformedIPOptions),
        ("option length past the header", Frames.withIPOptions(udp, [0x94, 8, 0, 0]), .malformedIPOptions),
        ("option length 1", Frames.withIPOptions(udp, [0x94, 1, 0, 0]), .malformedIPOptions),
        ("option length 0", Frames.withIPOptions(echo, [0x94, 0, 0, 0]), .malformedIPOptions),
        ("option without its length byte", Frames.withIPOptions(udp, [1, 1, 1, 0x94]), .malformedIPOptions),
        ("a byte after end of list", Frames.withIPOptions(udp, [0, 1, 0, 0]), .malformedIPOptions),
        ("two source routes", Frames.withIPOptions(udp, [0x83, 3, 4, 0x89, 3, 4, 0, 0]), .malformedIPOptions),
        ("bad header checksum", { var f = udp; f[25] ^= 0x40; return f }(), .badIPChecksum),
        ("UDP length longer than the datagram", withIPPayload(udp, Array(udp[34...]) + [0, 0]), .malformedUDP),
        ("UDP of 7 bytes", withIPPayload(udp, Array(udp[34..<41])), .malformedUDP),
        ("UDP length field 7", { var f = udp; f[39] = 7; return f }(), .malformedUDP),
        ("UDP to port 0", { var f = udp; f[36] = 0; f[37] = 0; return f }(), .malformedUDP),
        ("TCP of 19 bytes", withIPPayload(Frames.tcp(from: Net.addressB, 4000, to: Net.gateway, 80),
                                          Array(Frames.tcp(from: Net.addressB, 4000, to: Net.gateway, 80)[34..<53])), .malformedTCP),
        ("TCP data offset 4", { var f = Frames.tcp(from: Net.addressB, 4000, to: Net.gateway, 80); f[46] = 0x40; return f }(), .malformedTCP),
        ("TCP data offset 15 past the segment", { var f = Frames.tcp(from: Net.addressB, 4000, to: Net.gateway, 80); f[46] = 0xF0; return f }(),
         .malformedTCP),
        ("TCP from port 0", { var f = Frames.tcp(from: Net.addressB, 4000, to: Net.gateway, 80); f[34] = 0; f[35] = 0; return f }(), .malformedTCP),
        ("ICMP of 4 bytes", withIPPayload(echo, Array(echo[34..<38])), .malformedICMP),
        ("echo with code 1", editICMP(echo) { $0[35] = 1 }, .malformedICMP),
        ("bad ICMP checksum", editICMP(echo, refill: false) { $0[40] ^= 1 }, .badICMPChecksum),
        ("redirect", editICMP(unreachable) { $0[34] = 5 }, .unsupportedICMPType),
        ("timestamp request", editICMP(echo) { $0[34] = 13 }, .unsupportedICMPType),
        ("router advertisement", editICMP(echo) { $0[34] = 9 }, .unsupportedICMPType),
        ("error quoting 20 bytes", editICMP(withIPPayload(unreachable, Array(unreachable[34..<62]))) { _ in }, .malformedICMPQuote),
        ("error quoting IPv6", editICMP(unreachable) { $0[42] = 0x60 }, .malformedICMPQuote),
    ]
}

@Suite struct FrameFaultTests {
    @Test(arguments: FaultCases.all.indices) func bothDirectionsRefuseForTheSameReason(index: Int) {
        let (name, frame, fault) = FaultCases.all[index]
        #expect(EgressGuard.check(frame.span.bytes, from: Net.b, plan: Net.plan, linkMTU: 1500) == .deny(.invalid(fault)), "\(name)")
        #expect(classify(frame) == .drop(.invalid(fault)), "\(name)")
    }

    @Test func theUncorruptedFramesAreAllowed() {
        for frame in [FaultCases.udp, FaultCases.arp, FaultCases.echo, FaultCases.unreachable] {
            #expect(EgressGuard.check(frame.span.bytes, from: Net.b, plan: Net.plan, linkMTU: 1500) == .allow)
        }
    }

    @Test func everyFaultIsExercised() {
        #expect(Set(FaultCases.all.map(\.2)) == Set(PacketFault.allCases))
    }

    @Test func faultNamesAreDistinct() {
        #expect(Set(PacketFault.allCases.map(\.name)).count == PacketFault.allCases.count)
    }
}
