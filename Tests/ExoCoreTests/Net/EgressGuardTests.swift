// The egress guard, rule by rule: a tenant's valid frames get out; every way of speaking as
// someone else (address, port, MAC, ARP, ICMP errors about others' flows) is denied.
import ExoCore
import ExoWire
import ExoPacket
import Testing

func check(_ frame: [UInt8], from tenant: TenantID) -> Verdict {
    EgressGuard.check(frame.span.bytes, from: tenant, plan: Net.plan, linkMTU: 1500)
}

@Suite struct EgressGuardTests {
    typealias Case = (String, TenantID, [UInt8])
    static let g = Net.gateway

    static let allowed: [Case] = [
        ("A: UDP from its address", Net.a, Frames.udp(from: Net.addressA, 53, to: g, 5000)),
        ("A: TCP from its address", Net.a, Frames.tcp(from: Net.addressA, 443, to: g, 40000)),
        ("A: UDP from its share", Net.a, Frames.udp(from: Net.shared, 1999, to: g, 5000)),
        ("A: TCP from its share", Net.a, Frames.tcp(from: Net.shared, 8000, to: g, 80)),
        ("B: UDP from its share", Net.b, Frames.udp(from: Net.shared, 2500, to: g, 5000)),
        ("B: UDP from its address, source port 0", Net.b, Frames.udp(from: Net.addressB, 0, to: g, 5000)),
        ("A: echo request", Net.a, Frames.echo(from: Net.addressA, to: g)),
        ("A: echo reply", Net.a, Frames.echo(request: false, from: Net.addressA, to: g)),
        ("A: ARP request", Net.a, Frames.arp(senderMAC: Net.macA, sender: Net.addressA, target: g)),
        ("A: ARP reply", Net.a, Frames.arp(.reply, senderMAC: Net.macA, sender: Net.addressA, target: g, targetMAC: Net.hostMAC,
                                            ethernetDestination: Net.hostMAC)),
        ("A: gratuitous ARP", Net.a, Frames.arp(senderMAC: Net.macA, sender: Net.addressA, target: Net.addressA)),
        ("A: fragment from its address", Net.a, Frames.fragmented(Frames.udp(from: Net.addressA, 53, to: g, 5000))),
        ("A: GRE from its address", Net.a, Frames.ipv4(IPProtocol(rawValue: 47), from: Net.addressA, to: g, payload: [0, 0, 8, 0])),
        ("A: port unreachable about a datagram sent to its address", Net.a,
         Frames.icmpError(from: Net.addressA, to: g, quoting: Frames.udp(from: g, 5000, to: Net.addressA, 99))),
        ("A: unreachable about a datagram sent to its share", Net.a,
         Frames.icmpError(from: Net.shared, to: g, quoting: Frames.udp(from: g, 5000, to: Net.shared, 1500))),
        ("B: time exceeded about TCP sent to its share", Net.b,
         Frames.icmpError(.timeExceeded, code: 0, from: Net.shared, to: g, quoting: Frames.tcp(from: g, 5000, to: Net.shared, 8150))),
        ("B: a minimum frame padded to 60 bytes", Net.b,
         Frames.udp(from: Net.addressB, 7, to: g, 5000) + [UInt8](repeating: 0, count: 16)),
    ]

    static let denied: [(String, TenantID, [UInt8], DenyReason)] = [
        ("B: A's source IP with A's MAC", Net.b, Frames.udp(from: Net.addressA, 53, to: g, 5000), .sourceAddressNotOwned),
        ("B: A's source IP with B's MAC", Net.b, Frames.udp(from: Net.addressA, 53, to: g, 5000, sourceMAC: Net.macB), .sourceAddressNotOwned),
        ("B: the gateway's address", Net.b, Frames.udp(from: g, 53, to: Net.stranger, 5000, sourceMAC: Net.macB), .sourceAddressNotOwned),
        ("B: an address in no grant", Net.b, Frames.udp(from: Net.stranger, 53, to: g, 5000, sourceMAC: Net.macB), .sourceAddressNotOwned),
        ("C (no grant): the shared address", Net.c, Frames.udp(from: Net.shared, 2500, to: g, 5000), .sourceAddressNotOwned),
        ("C (no grant): A's address", Net.c, Frames.echo(from: Net.addressA, to: g), .sourceAddressNotOwned),
        ("B: A's UDP source port", Net.b, Frames.udp(from: Net.shared, 1500, to: g, 5000), .sourcePortNotGranted),
        ("B: A's TCP source port", Net.b, Frames.tcp(from: Net.shared, 8080, to: g, 80), .sourcePortNotGranted),
        ("B: its UDP port number over TCP", Net.b, Frames.tcp(from: Net.shared, 2500, to: g, 80), .sourcePortNotGranted),
        ("B: nobody's port", Net.b, Frames.udp(from: Net.shared, 3000, to: g, 5000), .sourcePortNotGranted),
        ("B: source port 0 on the shared address", Net.b, Frames.udp(from: Net.shared, 0, to: g, 5000), .sourcePortNotGranted),
        ("B: its address with A's MAC", Net.b, Frames.udp(from: Net.addressB, 7, to: g, 5000, sourceMAC: Net.macA), .sourceMACMismatch),
        ("B: its address with the daemon's MAC", Net.b, Frames.udp(from: Net.addressB, 7, to: g, 5000, sourceMAC: Net.daemonMAC),
         .sourceMACMismatch),
        ("B: its share with its own MAC", Net.b, Frames.udp(from: Net.shared, 2500, to: g, 5000, sourceMAC: Net.macB), .sourceMACMismatch),
        ("B: its address with the gateway's MAC", Net.b, Frames.udp(from: Net.addressB, 7, to: g, 5000, sourceMAC: Net.hostMAC),
         .sourceMACMismatch),
        ("B: ARP as A", Net.b, Frames.arp(senderMAC: Net.macA, sender: Net.addressA, target: g), .arpSenderNotOwned),
        ("B: ARP for A's address with its MAC", Net.b, Frames.arp(senderMAC: Net.macB, sender: Net.addressA, target: g), .arpSenderNotOwned),
        ("B: ARP as the gateway", Net.b, Frames.arp(.reply, senderMAC: Net.macB, sender: g, target: Net.addressA, targetMAC: Net.macA,
                                                     ethernetDestination: Net.macA), .arpSenderNotOwned),
        ("B: ARP for the shared address", Net.b, Frames.arp(senderMAC: Net.daemonMAC, sender: Net.shared, target: g), .arpSenderNotOwned),
        ("B: ARP with A's hardware address", Net.b, Frames.arp(senderMAC: Net.macA, sender: Net.addressB, target: g, ethernetSource: Net.macB),
         .sourceMACMismatch),
        ("B: ARP from A's MAC", Net.b, Frames.arp(senderMAC: Net.macB, sender: Net.addressB, target: g, ethernetSource: Net.macA),
         .sourceMACMismatch),
        ("A: loose source route from its address", Net.a,
         Frames.withIPOptions(Frames.udp(from: Net.addressA, 53, to: g, 5000), Frames.Options.looseSourceRoute), .sourceRoute),
        ("B: strict source route from its share", Net.b,
         Frames.withIPOptions(Frames.udp(from: Net.shared, 2500, to: g, 5000), Frames.Options.strictSourceRoute), .sourceRoute),
        ("A: source route behind a NOP and a timestamp", Net.a,
         Frames.withIPOptions(Frames.echo(from: Net.addressA, to: g), Frames.Options.timestamp + [1, 1, 1, 1] + Frames.Options.looseSourceRoute),
         .sourceRoute),
        ("A: record route", Net.a, Frames.withIPOptions(Frames.tcp(from: Net.addressA, 443, to: g, 40000), Frames.Options.recordRoute), .ipOptions),
        ("A: router alert", Net.a, Frames.withIPOptions(Frames.udp(from: Net.addressA, 53, to: g, 5000), Frames.Options.routerAlert), .ipOptions),
        ("B: NOP padding only", Net.b, Frames.withIPOptions(Frames.udp(from: Net.shared, 2500, to: g, 5000), Frames.Options.nops), .ipOptions),
        ("B: fragment from the shared address", Net.b, Frames.fragmented(Frames.udp(from: Net.shared, 2500, to: g, 5000)),
         .fragmentFromSharedAddress),
        ("B: echo request from the shared address, nobody's identifier", Net.b, Frames.echo(from: Net.shared, to: g),
         .echoIdentifierNotGranted),
        ("B: echo reply from the shared address", Net.b, Frames.echo(request: false, from: Net.shared, to: g), .echoFromSharedAddress),
        ("B: GRE from the shared address", Net.b, Frames.ipv4(IPProtocol(rawValue: 47), from: Net.shared, to: g, payload: [0, 0, 8, 0]),
         .portlessProtocolFromSharedAddress),
        ("B: unreachable about a datagram sent to A", Net.b,
         Frames.icmpError(from: Net.addressB, to: g, quoting: Frames.udp(from: g, 5000, to: Net.addressA, 53)), .icmpErrorAboutOthers),
        ("B: unreachable about A's share port", Net.b,
         Frames.icmpError(from: Net.shared, to: g, quoting: Frames.udp(from: g, 5000, to: Net.shared, 1500)), .icmpErrorAboutOthers),
        ("B: unreachable about A's TCP port", Net.b,
         Frames.icmpError(from: Net.shared, to: g, quoting: Frames.tcp(from: g, 5000, to: Net.shared, 8080)), .icmpErrorAboutOthers),
        ("B: unreachable about its own flow, sent to a third host", Net.b,
         Frames.icmpError(from: Net.addressB, to: Net.stranger, quoting: Frames.udp(from: g, 5000, to: Net.addressB, 9)), .icmpErrorAboutOthers),
        ("B: unreachable about a datagram B sent (not one sent to B)", Net.b,
         Frames.icmpError(from: Net.addressB, to: g, quoting: Frames.udp(from: Net.addressB, 9, to: g, 5000)), .icmpErrorAboutOthers),
        ("B: unreachable from the share about an echo to the shared address", Net.b,
         Frames.icmpError(from: Net.shared, to: g, quoting: Frames.echo(from: g, to: Net.shared)), .icmpErrorAboutOthers),
        ("B: unreachable about a later fragment sent to its share", Net.b,
         Frames.icmpError(from: Net.shared, to: g, quoting: Frames.fragmented(Frames.udp(from: g, 5000, to: Net.shared, 2500), offsetUnits: 4)),
         .icmpErrorAboutOthers),
        ("A: a well-formed UDP frame of 1515 bytes on an MTU-1500 link", Net.a, Self.udpFrame(length: 1515), .tooLongForLink),
    ]

    /// A valid UDP frame of A, from its own address, `length` bytes long in all.
    static func udpFrame(length: Int) -> [UInt8] {
        let data = [UInt8](repeating: 0x42, count: length - 14 - 20 - 8)
        return Frames.ipv4(.udp, from: Net.addressA, to: g, payload: Frames.udpSegment(from: Net.addressA, 53, to: g, 5000, data: data))
    }

    @Test func theLinkMTUBoundsEveryFrameAndFollowsTheLink() {
        for mtu in [576, 1500, 4082] {
            let longest = Self.udpFrame(length: mtu + 14)
            let over = Self.udpFrame(length: mtu + 15)
            #expect(EgressGuard.check(longest.span.bytes, from: Net.a, plan: Net.plan, linkMTU: mtu) == .allow, "\(mtu)")
            #expect(EgressGuard.check(over.span.bytes, from: Net.a, plan: Net.plan, linkMTU: mtu) == .deny(.tooLongForLink), "\(mtu)")
        }
        // The same 4096-byte frame: refused at MTU 1500, allowed once the link's MTU is raised.
        let big = Self.udpFrame(length: 4096)
        #expect(EgressGuard.check(big.span.bytes, from: Net.a, plan: Net.plan, linkMTU: 1500) == .deny(.tooLongForLink))
        #expect(EgressGuard.check(big.span.bytes, from: Net.a, plan: Net.plan, linkMTU: 4082) == .allow)
        // Length is checked first: another tenant's over-long frame is refused for its length too.
        #expect(EgressGuard.check(big.span.bytes, from: Net.b, plan: Net.plan, linkMTU: 1500) == .deny(.tooLongForLink))
    }

    @Test(arguments: allowed.indices) func validFramesGetOut(index: Int) {
        let (name, tenant, frame) = Self.allowed[index]
        #expect(check(frame, from: tenant) == .allow, "\(name)")
    }

    @Test(arguments: denied.indices) func spoofedFramesAreDenied(index: Int) {
        let (name, tenant, frame, reason) = Self.denied[index]
        #expect(check(frame, from: tenant) == .deny(reason), "\(name)")
    }

    @Test func aValidFrameOfATenantIsDeniedToEveryOtherTenant() {
        for (name, owner, frame) in Self.allowed {
            for other in [Net.a, Net.b, Net.c] where other != owner {
                #expect(check(frame, from: other) != .allow, "\(name) sent by \(other)")
            }
        }
    }

    @Test func everyPolicyReasonIsExercised() {
        let exercised = Set(Self.denied.map(\.3))
        for reason in DenyReason.allCases {
            if case .invalid = reason { continue }
            #expect(exercised.contains(reason), "\(reason)")
        }
    }

    @Test func denyReasonsHaveDistinctCounterSlotsAndNames() {
        let all = DenyReason.allCases
        #expect(all.map(\.counterIndex) == Array(all.indices))
        #expect(Set(all.map(\.name)).count == all.count)
    }
}
