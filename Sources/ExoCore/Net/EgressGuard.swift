// Transmit-side check on the daemon's private copy of each frame a tenant sends: deny by
// default, allow only what the tenant's grants let it say about itself.
import ExoWire
import ExoPacket

/// Decides whether a tenant may send a frame.
public enum EgressGuard {
    /// Checks `frame` (the daemon's own copy; never memory the tenant can still write) for a
    /// link whose MTU is `linkMTU` (the current one: it follows the link's changes).
    public static func check(_ frame: RawSpan, from tenant: TenantID, plan: AddressPlan, linkMTU: Int) -> Verdict {
        PacketBytes.with(frame) { check($0, from: tenant, plan: plan, linkMTU: linkMTU) }
    }

    /// Checks the frame in `bytes` (lent for the duration of the call). The length comes
    /// first: a frame longer than `linkMTU` plus the Ethernet header is refused whatever it
    /// says, on every backend (a TAP device would carry it out unchecked).
    public static func check(_ bytes: PacketBytes, from tenant: TenantID, plan: AddressPlan, linkMTU: Int) -> Verdict {
        guard bytes.count <= linkMTU + EthernetPacket.headerLength else { return .deny(.tooLongForLink) }
        let frame: InspectedPacket
        do {
            frame = try InspectedPacket(inspecting: bytes)
        } catch {
            return .deny(.invalid(error))
        }
        switch frame.content {
        case .arp(let arp): return checkARP(arp, sourceMAC: frame.ethernet.source, tenant: tenant, plan: plan)
        case .ipv4(let packet, let content):
            // Policy, not parse: tenants send no IPv4 options at all (DESIGN-NOTES.md); source
            // routing gets its own reason because it is the one that redirects traffic.
            if packet.hasOptions {
                return .deny(frame.ipOptionKinds.contains(.sourceRoute) ? .sourceRoute : .ipOptions)
            }
            return checkIPv4(packet, content, sourceMAC: frame.ethernet.source, tenant: tenant, plan: plan)
        }
    }

    /// ARP only for an address the tenant owns whole, from that address's MAC.
    static func checkARP(_ arp: ARPPacket, sourceMAC: MACAddress, tenant: TenantID, plan: AddressPlan) -> Verdict {
        guard let (owner, mac) = plan.ownerAndMAC(of: arp.senderProtocol), owner == .whole(tenant) else {
            return .deny(.arpSenderNotOwned)
        }
        guard arp.senderHardware == mac, sourceMAC == mac else { return .deny(.sourceMACMismatch) }
        return .allow
    }

    static func checkIPv4(
        _ packet: IPv4Packet, _ content: InspectedPacket.IPv4Content, sourceMAC: MACAddress, tenant: TenantID,
        plan: AddressPlan
    ) -> Verdict {
        let source = packet.source
        guard let (owner, mac) = plan.ownerAndMAC(of: source) else { return .deny(.sourceAddressNotOwned) }
        switch owner {
        case .whole(let holder):
            guard holder == tenant else { return .deny(.sourceAddressNotOwned) }
            guard sourceMAC == mac else { return .deny(.sourceMACMismatch) }
            if case .icmpError(_, let quote) = content {
                return quotesOwnFlow(quote, packet, tenant: tenant, plan: plan) ? .allow : .deny(.icmpErrorAboutOthers)
            }
            return .allow
        case .shared:
            // A tenant with no share of the address at all is told so; `hasShare` scans the
            // address's shares, so it runs only on the (slow) deny path.
            let verdict = sourceMAC == mac ? checkShared(packet, content, tenant: tenant, plan: plan) : .deny(.sourceMACMismatch)
            if verdict != .allow, !plan.hasShare(tenant, of: source) { return .deny(.sourceAddressNotOwned) }
            return verdict
        }
    }

    /// From a shared address: UDP and TCP from the tenant's ports, echo requests with an
    /// identifier of its icmp share, and ICMP errors about its own flows; nothing else. Like
    /// ports, identifiers are checked against the grant, not the bindings: a reply can only
    /// reach the tenant that bound the identifier anyway, and the guard stays a pure function
    /// of the plan.
    static func checkShared(_ packet: IPv4Packet, _ content: InspectedPacket.IPv4Content, tenant: TenantID, plan: AddressPlan)
        -> Verdict
    {
        switch content {
        case .udp(let datagram):
            return plan.shareHolder(.udp, packet.source, port: datagram.sourcePort) == tenant
                ? .allow : .deny(.sourcePortNotGranted)
        case .tcp(let header):
            return plan.shareHolder(.tcp, packet.source, port: header.sourcePort) == tenant
                ? .allow : .deny(.sourcePortNotGranted)
        case .icmpError(_, let quote):
            return quotesOwnFlow(quote, packet, tenant: tenant, plan: plan) ? .allow : .deny(.icmpErrorAboutOthers)
        case .echo(let message):
            guard message.type == .echoRequest else { return .deny(.echoFromSharedAddress) }
            return plan.shareHolder(.icmp, packet.source, port: message.identifier) == tenant
                ? .allow : .deny(.echoIdentifierNotGranted)
        case .fragment: return .deny(.fragmentFromSharedAddress)
        case .other: return .deny(.portlessProtocolFromSharedAddress)
        }
    }

    /// True when the quoted datagram was sent to this tenant, from the host the error goes
    /// back to: quoted destination = the error's source (the tenant's address, checked by
    /// the caller) and, on a shared address, a port of the tenant's share; quoted source =
    /// the error's destination.
    static func quotesOwnFlow(_ quote: ICMPv4Quote, _ packet: IPv4Packet, tenant: TenantID, plan: AddressPlan) -> Bool {
        guard quote.destination == packet.source, quote.source == packet.destination else { return false }
        switch plan.owner(of: quote.destination) {
        case .whole(let holder): return holder == tenant
        case .shared:
            guard let proto = TransportProtocol(quote.protocol), quote.fragmentOffset == 0 else { return false }
            return plan.shareHolder(proto, quote.destination, port: quote.destinationPort) == tenant
        case nil: return false
        }
    }
}
