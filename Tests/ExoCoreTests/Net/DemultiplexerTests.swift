// Receive-side routing, rule by rule: bindings first, then whole-address ownership; the
// daemon answers ARP and echo for shared addresses; ICMP errors follow the flow they quote.
import ExoCore
import ExoWire
import ExoPacket
import Testing

func classify(_ frame: [UInt8], bindings: BindingTable = Net.bindings()) -> Delivery {
    Demultiplexer.classify(frame.span.bytes, plan: Net.plan, bindings: bindings)
}

@Suite struct DemultiplexerTests {
    typealias Case = (String, [UInt8], Delivery)
    static let g = Net.gateway

    static let transport: [Case] = [
        ("UDP to A's bound share port", Frames.udp(from: g, 5000, to: Net.shared, 1500), .tenant(Net.sessionA)),
        ("UDP to B's bound share port", Frames.udp(from: g, 5000, to: Net.shared, 2500), .tenant(Net.sessionB)),
        ("UDP to A's unbound share port", Frames.udp(from: g, 5000, to: Net.shared, 1501), .drop(.noBinding)),
        ("UDP to nobody's port", Frames.udp(from: g, 5000, to: Net.shared, 3000), .drop(.noBinding)),
        ("TCP to A's bound share port", Frames.tcp(from: g, 5000, to: Net.shared, 8080), .tenant(Net.sessionA)),
        ("TCP to the UDP-bound port number", Frames.tcp(from: g, 5000, to: Net.shared, 1500), .drop(.noBinding)),
        ("UDP to an endpoint bound on A's address", Frames.udp(from: g, 5000, to: Net.addressA, 53), .tenant(Net.sessionA2)),
        ("UDP to another port of A's address", Frames.udp(from: g, 5000, to: Net.addressA, 54), .tenant(Net.sessionA)),
        ("TCP to B's address", Frames.tcp(from: g, 5000, to: Net.addressB, 80), .tenant(Net.sessionB)),
        ("UDP to an address in no grant", Frames.udp(from: g, 5000, to: Net.stranger, 1500), .drop(.notOurAddress)),
        ("UDP to the gateway", Frames.udp(from: Net.addressA, 53, to: g, 5000), .drop(.notOurAddress)),
        ("UDP to A's address at B's MAC", Frames.udp(from: g, 5000, to: Net.addressA, 54, destinationMAC: Net.macB),
         .drop(.wrongDestinationMAC)),
        ("UDP to the shared address at A's MAC", Frames.udp(from: g, 5000, to: Net.shared, 1500, destinationMAC: Net.macA),
         .drop(.wrongDestinationMAC)),
        ("UDP to A's address, broadcast MAC", Frames.udp(from: g, 5000, to: Net.addressA, 54, destinationMAC: .broadcast),
         .drop(.wrongDestinationMAC)),
        ("a fragment to the shared address", Frames.fragmented(Frames.udp(from: g, 5000, to: Net.shared, 1500)), .reassemble),
        ("a later fragment to the shared address", Frames.fragmented(Frames.udp(from: g, 5000, to: Net.shared, 1500), moreFragments: false, offsetUnits: 3),
         .reassemble),
        ("a fragment to A's address", Frames.fragmented(Frames.udp(from: g, 5000, to: Net.addressA, 53)), .reassemble),
        ("a last fragment to B's address", Frames.fragmented(Frames.udp(from: g, 5000, to: Net.addressB, 9), moreFragments: false, offsetUnits: 185),
         .reassemble),
        ("a fragment to an address in no grant", Frames.fragmented(Frames.udp(from: g, 5000, to: Net.stranger, 1500)), .drop(.notOurAddress)),
        ("a fragment to the shared address at A's MAC", Frames.fragmented(Frames.udp(from: g, 5000, to: Net.shared, 1500, destinationMAC: Net.macA)),
         .drop(.wrongDestinationMAC)),
        ("UDP with record route to A's share port", Frames.withIPOptions(Frames.udp(from: g, 5000, to: Net.shared, 1500), Frames.Options.recordRoute),
         .tenant(Net.sessionA)),
        ("UDP with a loose source route to B's share port",
         Frames.withIPOptions(Frames.udp(from: g, 5000, to: Net.shared, 2500), Frames.Options.looseSourceRoute), .tenant(Net.sessionB)),
        ("TCP with a timestamp option to B's address", Frames.withIPOptions(Frames.tcp(from: g, 5000, to: Net.addressB, 80), Frames.Options.timestamp),
         .tenant(Net.sessionB)),
        ("UDP with 40 bytes of options to A's endpoint",
         Frames.withIPOptions(Frames.udp(from: g, 5000, to: Net.addressA, 53), [UInt8](repeating: 1, count: 36) + Frames.Options.routerAlert),
         .tenant(Net.sessionA2)),
        ("GRE to A's address", Frames.ipv4(IPProtocol(rawValue: 47), from: g, to: Net.addressA, payload: [0, 0, 8, 0]),
         .tenant(Net.sessionA)),
        ("GRE to the shared address", Frames.ipv4(IPProtocol(rawValue: 47), from: g, to: Net.shared, payload: [0, 0, 8, 0]),
         .drop(.portlessProtocolOnSharedAddress)),
    ]

    static let echoAndARP: [Case] = [
        ("echo request to A", Frames.echo(from: g, to: Net.addressA), .tenant(Net.sessionA)),
        ("echo reply to A", Frames.echo(request: false, from: g, to: Net.addressA), .tenant(Net.sessionA)),
        ("echo request to the shared address", Frames.echo(from: g, to: Net.shared), .daemonEcho),
        ("echo reply to the shared address", Frames.echo(request: false, from: g, to: Net.shared), .drop(.echoReplyOnSharedAddress)),
        ("echo request with record route to the shared address",
         Frames.withIPOptions(Frames.echo(from: g, to: Net.shared), Frames.Options.recordRoute), .drop(.echoWithOptionsOnSharedAddress)),
        ("echo request with record route to A", Frames.withIPOptions(Frames.echo(from: g, to: Net.addressA), Frames.Options.recordRoute),
         .tenant(Net.sessionA)),
        ("broadcast ARP for A", Frames.arp(senderMAC: Net.hostMAC, sender: g, target: Net.addressA), .tenant(Net.sessionA)),
        ("broadcast ARP for B", Frames.arp(senderMAC: Net.hostMAC, sender: g, target: Net.addressB), .tenant(Net.sessionB)),
        ("unicast ARP refresh for A", Frames.arp(senderMAC: Net.hostMAC, sender: g, target: Net.addressA, ethernetDestination: Net.macA),
         .tenant(Net.sessionA)),
        ("ARP for A sent to B's MAC", Frames.arp(senderMAC: Net.hostMAC, sender: g, target: Net.addressA, ethernetDestination: Net.macB),
         .drop(.wrongDestinationMAC)),
        ("ARP for the shared address", Frames.arp(senderMAC: Net.hostMAC, sender: g, target: Net.shared), .daemonARP),
        ("ARP for the gateway", Frames.arp(senderMAC: Net.hostMAC, sender: Net.stranger, target: g), .drop(.notOurAddress)),
        ("gratuitous ARP of the gateway", Frames.arp(senderMAC: Net.hostMAC, sender: g, target: g), .drop(.notOurAddress)),
        ("ARP reply to A", Frames.arp(.reply, senderMAC: Net.hostMAC, sender: g, target: Net.addressA, targetMAC: Net.macA,
                                      ethernetDestination: Net.macA), .tenant(Net.sessionA)),
        ("ARP reply to the shared address", Frames.arp(.reply, senderMAC: Net.hostMAC, sender: g, target: Net.shared,
                                                       targetMAC: Net.daemonMAC, ethernetDestination: Net.daemonMAC), .daemonARP),
    ]

    static let icmpErrors: [Case] = [
        ("about A's shared-port flow", Frames.icmpError(from: g, to: Net.shared, quoting: Frames.udp(from: Net.shared, 1500, to: g, 5000)),
         .tenant(Net.sessionA)),
        ("about B's shared-port flow", Frames.icmpError(from: g, to: Net.shared, quoting: Frames.udp(from: Net.shared, 2500, to: g, 5000)),
         .tenant(Net.sessionB)),
        ("about A's TCP flow", Frames.icmpError(from: g, to: Net.shared, quoting: Frames.tcp(from: Net.shared, 8080, to: g, 80)),
         .tenant(Net.sessionA)),
        ("about an unbound shared port", Frames.icmpError(from: g, to: Net.shared, quoting: Frames.udp(from: Net.shared, 1600, to: g, 5000)),
         .drop(.noBinding)),
        ("to the shared address about A's own address", Frames.icmpError(from: g, to: Net.shared, quoting: Frames.udp(from: Net.addressA, 53, to: g, 5000)),
         .drop(.unroutableICMPError)),
        ("to B about A's flow", Frames.icmpError(from: g, to: Net.addressB, quoting: Frames.udp(from: Net.addressA, 53, to: g, 5000)),
         .drop(.unroutableICMPError)),
        ("to B quoting a flow sent to A", Frames.icmpError(from: g, to: Net.addressB, quoting: Frames.udp(from: g, 5000, to: Net.addressA, 53)),
         .drop(.unroutableICMPError)),
        ("about A's bound endpoint on its address", Frames.icmpError(.timeExceeded, code: 0, from: g, to: Net.addressA,
                                                                      quoting: Frames.udp(from: Net.addressA, 53, to: g, 5000)), .tenant(Net.sessionA2)),
        ("about another port of A's address", Frames.icmpError(from: g, to: Net.addressA, quoting: Frames.udp(from: Net.addressA, 99, to: g, 5000)),
         .tenant(Net.sessionA)),
        ("about A's echo", Frames.icmpError(from: g, to: Net.addressA, quoting: Frames.echo(from: Net.addressA, to: g)), .tenant(Net.sessionA)),
        ("about an echo from the shared address with nobody's identifier",
         Frames.icmpError(from: g, to: Net.shared, quoting: Frames.echo(from: Net.shared, to: g)), .drop(.noBinding)),
        ("about a later fragment from the shared address",
         Frames.icmpError(from: g, to: Net.shared, quoting: Frames.fragmented(Frames.udp(from: Net.shared, 1500, to: g, 5000), offsetUnits: 2)),
         .drop(.unroutableICMPError)),
    ]

    @Test(arguments: transport.indices) func transportGoesToItsBinding(index: Int) {
        let (name, frame, expected) = Self.transport[index]
        #expect(classify(frame) == expected, "\(name)")
    }

    @Test(arguments: echoAndARP.indices) func echoAndARPGoToTheOwnerOrTheDaemon(index: Int) {
        let (name, frame, expected) = Self.echoAndARP[index]
        #expect(classify(frame) == expected, "\(name)")
    }

    @Test(arguments: icmpErrors.indices) func icmpErrorsGoToTheFlowTheyQuote(index: Int) {
        let (name, frame, expected) = Self.icmpErrors[index]
        #expect(classify(frame) == expected, "\(name)")
    }

    @Test func aWholeAddressWithoutAnAddressBindingReachesNobody() {
        var bindings = Net.bindings()
        bindings.unbindAll(session: Net.sessionA)
        #expect(classify(Frames.arp(senderMAC: Net.hostMAC, sender: Net.gateway, target: Net.addressA), bindings: bindings) == .drop(.noBinding))
        #expect(classify(Frames.echo(from: Net.gateway, to: Net.addressA), bindings: bindings) == .drop(.noBinding))
        #expect(classify(Frames.udp(from: Net.gateway, 1, to: Net.addressA, 54), bindings: bindings) == .drop(.noBinding))
        // The other session's exact endpoint is unaffected.
        #expect(classify(Frames.udp(from: Net.gateway, 1, to: Net.addressA, 53), bindings: bindings) == .tenant(Net.sessionA2))
    }

    @Test func aMinimumFramePaddedTo60BytesIsClassified() {
        let frame = Frames.udp(from: Net.gateway, 5000, to: Net.shared, 1500)  // 44 bytes
        #expect(frame.count < 60)
        #expect(classify(frame + [UInt8](repeating: 0, count: 60 - frame.count)) == .tenant(Net.sessionA))
    }

    @Test func dropReasonsHaveDistinctCounterSlotsAndNames() {
        let all = DropReason.allCases
        #expect(all.map(\.counterIndex) == Array(all.indices))
        #expect(Set(all.map(\.name)).count == all.count)
    }
}
