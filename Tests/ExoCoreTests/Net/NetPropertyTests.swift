// Properties over thousands of seeded random frames: the guard and the demultiplexer parse
// every frame alike; a delivered frame reaches the one tenant whose grant covers where it
// is addressed (checked against a linear scan of the grants); an allowed frame speaks only
// for its sender; and the guard does let valid frames out.
import ExoCore
import ExoWire
import ExoPacket
import Testing

/// The obvious, linear reading of the grants, independent of AddressPlan's index.
enum Oracle {
    static let grants = [Net.grantA, Net.grantB]

    /// Every tenant whose grant covers (proto, address, port); a nil proto asks for the
    /// whole address. For `.icmp`, the port is an echo identifier.
    static func holders(_ proto: TransportProtocol?, _ address: IPv4Address, _ port: UInt16?) -> [TenantID] {
        grants.filter { grant in
            grant.addresses.contains { $0.address == address }
                || grant.shares.contains { share in
                    share.address == address && share.proto == proto && port.map { share.ports.contains($0) } == true
                }
        }.map(\.tenant)
    }

    /// Whom a received frame is addressed to, read with the ExoWire views directly.
    static func addressee(_ frame: [UInt8]) -> [TenantID] {
        frame.withUnsafeBytes { raw in
            let bytes = PacketBytes(unsafeBuffer: raw)
            guard let ethernet = try? EthernetPacket(checking: bytes) else { return [] }
            if ethernet.etherType == .arp, let arp = try? ARPPacket(checking: ethernet.payload) {
                return holders(nil, arp.targetProtocol, nil)
            }
            guard let ip = try? IPv4Packet(checking: ethernet.payload) else { return [] }
            if !ip.isFragment, let proto = TransportProtocol(ip.protocol), ip.payload.count >= 4 {
                // UDP and TCP both start with the source and destination ports.
                return holders(proto, ip.destination, ip.payload.u16(2))
            }
            if !ip.isFragment, ip.protocol == .icmp, let icmp = try? ICMPv4Message(checking: ip.payload), icmp.type.isError,
                let quote = try? ICMPv4Quote(checking: icmp.data)
            {
                if let proto = TransportProtocol(quote.protocol) { return holders(proto, quote.source, quote.sourcePort) }
                // An error about an echo request goes to whoever holds its identifier (bytes 4-5).
                if quote.protocol == .icmp, quote.bytes.u8(quote.headerLength) == 8 {
                    return holders(.icmp, quote.source, quote.bytes.u16(quote.headerLength + 4))
                }
                return holders(nil, quote.source, nil)
            }
            if !ip.isFragment, ip.protocol == .icmp, let icmp = try? ICMPv4Message(checking: ip.payload), icmp.type == .echoReply,
                !holders(.icmp, ip.destination, icmp.identifier).isEmpty
            {
                // An echo reply goes by identifier where one is granted.
                return holders(.icmp, ip.destination, icmp.identifier)
            }
            return holders(nil, ip.destination, nil)
        }
    }

    /// Who may speak for a sent frame's source (address, and port on a shared address).
    static func speaker(_ frame: [UInt8]) -> [TenantID] {
        frame.withUnsafeBytes { raw in
            let bytes = PacketBytes(unsafeBuffer: raw)
            guard let ethernet = try? EthernetPacket(checking: bytes) else { return [] }
            if ethernet.etherType == .arp, let arp = try? ARPPacket(checking: ethernet.payload) {
                return holders(nil, arp.senderProtocol, nil)
            }
            guard let ip = try? IPv4Packet(checking: ethernet.payload) else { return [] }
            if !ip.isFragment, let proto = TransportProtocol(ip.protocol), ip.payload.count >= 2 {
                return holders(proto, ip.source, ip.payload.u16(0))
            }
            if !ip.isFragment, ip.protocol == .icmp, let icmp = try? ICMPv4Message(checking: ip.payload), icmp.type == .echoRequest,
                ip.payload.count >= 6
            {
                // An echo request speaks for its identifier (on a shared address; whole
                // owners' grants cover every identifier).
                return holders(.icmp, ip.source, icmp.identifier)
            }
            if !ip.isFragment, ip.protocol == .icmp, let icmp = try? ICMPv4Message(checking: ip.payload), icmp.type.isError,
                let quote = try? ICMPv4Quote(checking: icmp.data), let proto = TransportProtocol(quote.protocol),
                quote.destination == ip.source
            {
                // An error speaks for the endpoint the quoted datagram was sent to.
                return holders(proto, quote.destination, quote.destinationPort)
            }
            return holders(nil, ip.source, nil)
        }
    }
}

@Suite struct NetPropertyTests {
    static let frameCount = 20_000

    @Test func theGuardAndTheDemultiplexerParseEveryFrameAlike() {
        var frames = RandomPackets(seed: 0xE60)
        var faults = Set<PacketFault>()
        for _ in 0..<Self.frameCount {
            let frame = frames.next()
            let delivery = classify(frame)
            for tenant in [Net.a, Net.b, Net.c] {
                let verdict = check(frame, from: tenant)
                if case .drop(.invalid(let fault)) = delivery {
                    #expect(verdict == .deny(.invalid(fault)), "\(frame)")
                    faults.insert(fault)
                } else if case .deny(.invalid(let fault)) = verdict {
                    Issue.record("guard refused \(fault) but the demultiplexer gave \(delivery): \(frame)")
                }
            }
        }
        // The generator reaches most of the strict rules, so the comparison means something.
        #expect(faults.count >= 12, "\(faults)")
    }

    @Test func aDeliveredFrameReachesTheOneTenantItIsAddressedTo() {
        var frames = RandomPackets(seed: 0xD311)
        let bindings = Net.bindings()
        var delivered = 0
        for _ in 0..<Self.frameCount {
            let frame = frames.next()
            guard case .tenant(let session) = classify(frame, bindings: bindings) else { continue }
            delivered += 1
            #expect(Oracle.addressee(frame) == [Net.tenant(of: session)], "\(frame)")
        }
        #expect(delivered > Self.frameCount / 20)
    }

    @Test func aFrameTheGuardAllowsLoopsBackOnlyToItsAddressee() {
        var frames = RandomPackets(seed: 0x100B)
        let bindings = Net.bindings()
        var allowedFrom: [TenantID: Int] = [:]
        for _ in 0..<Self.frameCount {
            let frame = frames.next()
            for sender in [Net.a, Net.b, Net.c] where check(frame, from: sender) == .allow {
                allowedFrom[sender, default: 0] += 1
                // It speaks only for its sender...
                #expect(Oracle.speaker(frame) == [sender], "\(frame)")
                // ...and, looped back, reaches its addressee and never the sender's neighbour.
                switch classify(frame, bindings: bindings) {
                case .tenant(let session): #expect(Oracle.addressee(frame) == [Net.tenant(of: session)], "\(frame)")
                case .drop(.invalid(let fault)): Issue.record("allowed frame is invalid on receive: \(fault)")
                default: break
                }
            }
        }
        // A guard that denies everything fails here.
        #expect(allowedFrom[Net.a, default: 0] > 200)
        #expect(allowedFrom[Net.b, default: 0] > 200)
        #expect(allowedFrom[Net.c] == nil)
    }
}
