// Receive-side routing: decides which session (or the daemon) gets a frame, by binding
// first and address ownership second, then the binding's filters. Pure, allocation-free.
import ExoWire
import ExoPacket

/// Classifies received frames against the address plan and the binding table.
public enum Demultiplexer {
    /// Classifies `frame` (the daemon's copy of one received frame).
    public static func classify(_ frame: RawSpan, plan: AddressPlan, bindings: BindingTable) -> Delivery {
        PacketBytes.with(frame) { classify($0, plan: plan, bindings: bindings) }
    }

    /// Classifies the frame in `bytes` (lent for the duration of the call).
    public static func classify(_ bytes: PacketBytes, plan: AddressPlan, bindings: BindingTable) -> Delivery {
        let frame: InspectedPacket
        do {
            frame = try InspectedPacket(inspecting: bytes)
        } catch {
            return .drop(.invalid(error))
        }
        switch frame.content {
        case .arp(let arp):
            return classifyARP(arp, destinationMAC: frame.ethernet.destination, plan: plan, bindings: bindings, bytes)
        case .ipv4(let packet, let content):
            return classifyIPv4(
                packet, content, destinationMAC: frame.ethernet.destination, plan: plan, bindings: bindings, bytes)
        }
    }

    /// ARP for a whole-owned address goes to its owner's address binding; for a shared one,
    /// to the daemon.
    static func classifyARP(
        _ arp: ARPPacket, destinationMAC: MACAddress, plan: AddressPlan, bindings: BindingTable, _ bytes: PacketBytes
    ) -> Delivery
    {
        let target = arp.targetProtocol
        guard let (owner, mac) = plan.ownerAndMAC(of: target) else { return .drop(.notOurAddress) }
        guard destinationMAC.isBroadcast || destinationMAC == mac else { return .drop(.wrongDestinationMAC) }
        switch owner {
        case .whole: return addressSession(target, bindings, bytes)
        case .shared: return .daemonARP
        }
    }

    static func classifyIPv4(
        _ packet: IPv4Packet, _ content: InspectedPacket.IPv4Content, destinationMAC: MACAddress, plan: AddressPlan,
        bindings: BindingTable, _ bytes: PacketBytes
    ) -> Delivery {
        let destination = packet.destination
        guard let (owner, mac) = plan.ownerAndMAC(of: destination) else { return .drop(.notOurAddress) }
        guard destinationMAC == mac else { return .drop(.wrongDestinationMAC) }
        let shared = owner == .shared
        switch content {
        case .udp(let datagram):
            return endpointSession(.udp, destination, datagram.destinationPort, shared: shared, bindings, bytes)
        case .tcp(let header):
            return endpointSession(.tcp, destination, header.destinationPort, shared: shared, bindings, bytes)
        case .echo(let message):
            // Requests: the address's (the daemon answers for a shared one). Replies: by
            // identifier, like a datagram by destination port.
            if message.type == .echoReply {
                let endpoint = Endpoint(.icmp, destination, message.identifier)
                if let delivery = bindings.delivery(for: endpoint, bytes) { return delivery }
                return shared ? .drop(.echoReplyOnSharedAddress) : addressSession(destination, bindings, bytes)
            }
            guard shared else { return addressSession(destination, bindings, bytes) }
            return packet.hasOptions ? .drop(.echoWithOptionsOnSharedAddress) : .daemonEcho
        case .icmpError(_, let quote):
            return classifyICMPError(quote, to: destination, shared: shared, bindings: bindings, bytes)
        case .fragment:
            // Whole or shared, the tenant gets the reassembled datagram, routed by its ports.
            return .reassemble
        case .other:
            return shared ? .drop(.portlessProtocolOnSharedAddress) : addressSession(destination, bindings, bytes)
        }
    }

    /// An ICMP error belongs to the flow it quotes, which must have been sent from the
    /// address the error came back to: its quoted source is that endpoint (source port, or
    /// the identifier of a quoted echo request).
    static func classifyICMPError(
        _ quote: ICMPv4Quote, to destination: IPv4Address, shared: Bool, bindings: BindingTable, _ bytes: PacketBytes
    ) -> Delivery
    {
        guard quote.source == destination else { return .drop(.unroutableICMPError) }
        guard let endpoint = quotedEndpoint(quote) else {
            return shared ? .drop(.unroutableICMPError) : addressSession(destination, bindings, bytes)
        }
        // Delivered by the endpoint binding alone: its filters describe datagrams to the
        // endpoint (they pin its protocol and port), not errors about the tenant's own flows.
        if let session = bindings.session(for: endpoint) { return .tenant(session) }
        return shared ? .drop(.noBinding) : addressSession(destination, bindings, bytes)
    }

    /// The endpoint that sent the quoted datagram: UDP/TCP by source port, an echo request
    /// by identifier; nil for anything else and for a non-first fragment (no header quoted).
    static func quotedEndpoint(_ quote: ICMPv4Quote) -> Endpoint? {
        guard quote.fragmentOffset == 0 else { return nil }
        if let proto = TransportProtocol(quote.protocol) { return Endpoint(proto, quote.source, quote.sourcePort) }
        guard quote.protocol == .icmp, quote.quotedICMPType == .echoRequest else { return nil }
        return Endpoint(.icmp, quote.source, quote.echoIdentifier)
    }

    /// The endpoint's binding; on a whole-owned address, the address binding otherwise. The
    /// binding found decides alone: its filters only narrow it (a frame they reject is
    /// `.filteredOut`, never passed on to the address binding or anyone else).
    static func endpointSession(
        _ proto: TransportProtocol, _ address: IPv4Address, _ port: UInt16, shared: Bool, _ bindings: BindingTable,
        _ bytes: PacketBytes
    ) -> Delivery {
        if let delivery = bindings.delivery(for: Endpoint(proto, address, port), bytes) { return delivery }
        return shared ? .drop(.noBinding) : addressSession(address, bindings, bytes)
    }

    static func addressSession(_ address: IPv4Address, _ bindings: BindingTable, _ bytes: PacketBytes) -> Delivery {
        bindings.delivery(forAddress: address, bytes) ?? .drop(.noBinding)
    }
}
