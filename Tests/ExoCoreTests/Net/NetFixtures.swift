// The network of every ExoCore/Net test: tenants A and B with an address each and port
// shares of one address, the host (gateway) outside the plan, and a builder of real frames.
import ExoCore
import ExoWire
import ExoPacket

enum Net {
    static let a: TenantID = 0
    static let b: TenantID = 1
    /// A tenant with no network grant at all.
    static let c: TenantID = 2

    static let daemonMAC = MACAddress(0x02, 0, 0, 0, 0, 0xFE)
    static let macA = MACAddress(0x02, 0, 0, 0, 0, 0x0A)
    static let macB = MACAddress(0x02, 0, 0, 0, 0, 0x0B)
    static let hostMAC = MACAddress(0x3A, 0x1F, 0x6C, 0x90, 0x0E, 0x21)

    static let gateway = IPv4Address(10, 77, 0, 1)
    static let addressA = IPv4Address(10, 77, 0, 10)
    static let addressB = IPv4Address(10, 77, 0, 11)
    static let shared = IPv4Address(10, 77, 0, 100)
    /// In no grant.
    static let stranger = IPv4Address(10, 77, 0, 200)

    static let grantA = NetworkGrant(
        tenant: a, addresses: [WholeAddress(addressA, mac: macA)],
        shares: [
            PortShare(.udp, shared, ports: 1000...1999), PortShare(.tcp, shared, ports: 8000...8099),
            PortShare(.icmp, shared, ports: 100...199),
        ])
    static let grantB = NetworkGrant(
        tenant: b, addresses: [WholeAddress(addressB, mac: macB)],
        shares: [
            PortShare(.udp, shared, ports: 2000...2999), PortShare(.tcp, shared, ports: 8100...8199),
            PortShare(.icmp, shared, ports: 200...299),
        ])

    static let plan = try! AddressPlan(daemonMAC: daemonMAC, grants: [grantA, grantB])

    /// The MAC a frame from or to `address` carries on this network.
    static func mac(_ address: IPv4Address) -> MACAddress { plan.mac(of: address) ?? hostMAC }

    /// Sessions: A's are 10-19, B's 20-29.
    static let sessionA: SessionID = 10
    static let sessionA2: SessionID = 11
    static let sessionB: SessionID = 20

    /// Typical bindings: each tenant binds its address, a UDP port and an echo identifier of
    /// its share; A also binds a TCP port and one UDP port on its own address with a second session.
    static func bindings() -> BindingTable {
        var table = BindingTable()
        try! table.bindAddress(addressA, session: sessionA, tenant: a, plan: plan)
        try! table.bindAddress(addressB, session: sessionB, tenant: b, plan: plan)
        try! table.bind(Endpoint(.udp, shared, 1500), session: sessionA, tenant: a, plan: plan)
        try! table.bind(Endpoint(.tcp, shared, 8080), session: sessionA, tenant: a, plan: plan)
        try! table.bind(Endpoint(.udp, shared, 2500), session: sessionB, tenant: b, plan: plan)
        try! table.bind(Endpoint(.udp, addressA, 53), session: sessionA2, tenant: a, plan: plan)
        try! table.bind(Endpoint(.icmp, shared, 150), session: sessionA, tenant: a, plan: plan)
        try! table.bind(Endpoint(.icmp, shared, 250), session: sessionB, tenant: b, plan: plan)
        return table
    }

    static func tenant(of session: SessionID) -> TenantID { session < 20 ? a : b }
}

/// Builds well-formed frames through the ExoWire reprs, so every checksum is right unless a
/// test breaks it on purpose.
enum Frames {
    static func ethernet(_ type: EtherType, from source: MACAddress, to destination: MACAddress, payload: [UInt8]) -> [UInt8] {
        var frame = [UInt8](repeating: 0, count: 14) + payload
        MutablePacketBytes.with(&frame) { bytes in
            EthernetRepr(destination: destination, source: source, etherType: type).emit(into: try! MutableEthernetPacket(checking: bytes))
        }
        return frame
    }

    static func ipv4(
        _ proto: IPProtocol, from source: IPv4Address, to destination: IPv4Address, payload: [UInt8],
        sourceMAC: MACAddress? = nil, destinationMAC: MACAddress? = nil
    ) -> [UInt8] {
        var datagram = [UInt8](repeating: 0, count: 20) + payload
        MutablePacketBytes.with(&datagram) { bytes in
            _ = try! IPv4Repr(source: source, destination: destination, protocol: proto, payloadLength: payload.count, identification: 0x4242)
                .emit(into: bytes)
        }
        return ethernet(.ipv4, from: sourceMAC ?? Net.mac(source), to: destinationMAC ?? Net.mac(destination), payload: datagram)
    }

    static func udpSegment(from source: IPv4Address, _ sourcePort: UInt16, to destination: IPv4Address, _ destinationPort: UInt16, data: [UInt8] = Array("hi".utf8)) -> [UInt8] {
        var datagram = [UInt8](repeating: 0, count: 8) + data
        MutablePacketBytes.with(&datagram) { bytes in
            _ = try! UDPRepr(sourcePort: sourcePort, destinationPort: destinationPort, payloadLength: data.count)
                .emit(into: bytes, source: source, destination: destination)
        }
        return datagram
    }

    static func udp(
        from source: IPv4Address, _ sourcePort: UInt16, to destination: IPv4Address, _ destinationPort: UInt16,
        sourceMAC: MACAddress? = nil, destinationMAC: MACAddress? = nil
    ) -> [UInt8] {
        ipv4(.udp, from: source, to: destination, payload: udpSegment(from: source, sourcePort, to: destination, destinationPort),
             sourceMAC: sourceMAC, destinationMAC: destinationMAC)
    }

    static func tcpSegment(from source: IPv4Address, _ sourcePort: UInt16, to destination: IPv4Address, _ destinationPort: UInt16) -> [UInt8] {
        var segment = [UInt8](repeating: 0, count: 20)
        MutablePacketBytes.with(&segment) { bytes in
            bytes.setU16(0, sourcePort)
            bytes.setU16(2, destinationPort)
            bytes.setU32(4, 1000)
            bytes.setU8(12, 5 << 4)
            bytes.setU8(13, UInt8(TCPFlags.syn.rawValue))
            bytes.setU16(14, 65535)
            var sum = InternetChecksum(pseudoHeaderSource: source, destination: destination, protocol: .tcp, length: 20)
            sum.add(bytes.readOnly)
            bytes.setU16(16, sum.value)
        }
        return segment
    }

    static func tcp(from source: IPv4Address, _ sourcePort: UInt16, to destination: IPv4Address, _ destinationPort: UInt16) -> [UInt8] {
        ipv4(.tcp, from: source, to: destination, payload: tcpSegment(from: source, sourcePort, to: destination, destinationPort))
    }

    static func icmp(_ repr: ICMPv4Repr, data: [UInt8]) -> [UInt8] {
        var message = [UInt8](repeating: 0, count: 8) + data
        MutablePacketBytes.with(&message) { _ = try! repr.emit(into: $0) }
        return message
    }

    static func echo(request: Bool = true, from source: IPv4Address, to destination: IPv4Address, id: UInt16 = 7) -> [UInt8] {
        let data = [UInt8](repeating: 0x61, count: 16)
        let repr: ICMPv4Repr = request
            ? .echoRequest(identifier: id, sequence: 1, dataLength: data.count) : .echoReply(identifier: id, sequence: 1, dataLength: data.count)
        return ipv4(.icmp, from: source, to: destination, payload: icmp(repr, data: data))
    }

    /// An ICMP error from `source` to `destination` quoting `quoted` (an Ethernet frame's
    /// datagram; its first 28 bytes or more).
    static func icmpError(
        _ type: ICMPv4Type = .destinationUnreachable, code: UInt8 = 3, from source: IPv4Address, to destination: IPv4Address,
        quoting quoted: [UInt8]
    ) -> [UInt8] {
        let quote = Array(quoted[14...].prefix(28))
        return ipv4(.icmp, from: source, to: destination,
                    payload: icmp(.error(type: type, code: code, restOfHeader: 0, quoteLength: quote.count), data: quote))
    }

    static func arp(
        _ operation: ARPOperation = .request, senderMAC: MACAddress, sender: IPv4Address, target: IPv4Address,
        targetMAC: MACAddress = .zero, ethernetSource: MACAddress? = nil, ethernetDestination: MACAddress = .broadcast
    ) -> [UInt8] {
        var packet = [UInt8](repeating: 0, count: 28)
        MutablePacketBytes.with(&packet) { bytes in
            ARPRepr(operation: operation, senderHardware: senderMAC, senderProtocol: sender, targetHardware: targetMAC, targetProtocol: target)
                .emit(into: bytes)
        }
        return ethernet(.arp, from: ethernetSource ?? senderMAC, to: ethernetDestination, payload: packet)
    }

    // MARK: Corruptions, each leaving every checksum consistent unless it is about one.

    /// Inserts an 802.1Q tag (TPID `tpid`, VLAN 5) after the source MAC.
    static func vlanTagged(_ frame: [UInt8], tpid: UInt16 = 0x8100) -> [UInt8] {
        Array(frame[0..<12]) + [UInt8(tpid >> 8), UInt8(tpid & 0xFF), 0x00, 0x05] + frame[12...]
    }

    static func withEtherType(_ frame: [UInt8], _ type: UInt16) -> [UInt8] {
        var copy = frame
        copy[12] = UInt8(type >> 8)
        copy[13] = UInt8(type & 0xFF)
        return copy
    }

    /// Rewrites IPv4 header bytes with `edit`, then refills the header checksum.
    static func editIP(_ frame: [UInt8], _ edit: (MutablePacketBytes) -> Void) -> [UInt8] {
        var copy = frame
        copy.withUnsafeMutableBytes { raw in
            let ip = MutablePacketBytes(unsafeBuffer: raw).dropFirst(14)
            edit(ip)
            ip.setU16(10, 0)
            let headerLength = Int(ip.readOnly.u8(0) & 0x0F) * 4
            if headerLength <= ip.count { ip.setU16(10, InternetChecksum.of(ip.readOnly.prefix(headerLength))) }
        }
        return copy
    }

    /// Adds a 4-byte option (`kind`: 0x83 loose or 0x89 strict source route) to the header.
    static func withIPOption(_ frame: [UInt8], kind: UInt8 = 0x83) -> [UInt8] {
        var copy = Array(frame[0..<34]) + [kind, 4, 0, 0] + frame[34...]
        let total = Int(copy[16]) << 8 | Int(copy[17])
        copy[14] = 0x46
        copy[16] = UInt8((total + 4) >> 8)
        copy[17] = UInt8((total + 4) & 0xFF)
        return editIP(copy) { _ in }
    }

    /// Inserts `options` (a multiple of 4 bytes, at most 40) after the fixed IPv4 header.
    static func withIPOptions(_ frame: [UInt8], _ options: [UInt8]) -> [UInt8] {
        precondition(options.count % 4 == 0 && options.count <= 40)
        var copy = Array(frame[0..<34]) + options + frame[34...]
        let total = (Int(copy[16]) << 8 | Int(copy[17])) + options.count
        copy[14] = UInt8(0x40 | (5 + options.count / 4))
        copy[16] = UInt8(total >> 8)
        copy[17] = UInt8(total & 0xFF)
        return editIP(copy) { _ in }
    }

    /// Well-formed options of each kind (each padded to a multiple of 4 bytes).
    enum Options {
        static let looseSourceRoute: [UInt8] = [0x83, 7, 4, 10, 0, 0, 1, 0]
        static let strictSourceRoute: [UInt8] = [0x89, 7, 4, 10, 0, 0, 1, 0]
        static let recordRoute: [UInt8] = [1, 0x07, 7, 4, 0, 0, 0, 0]
        static let timestamp: [UInt8] = [0x44, 8, 5, 0, 0, 0, 0, 0]
        static let routerAlert: [UInt8] = [0x94, 4, 0, 0]
        static let nops: [UInt8] = [1, 1, 1, 1]
    }

    /// Sets the fragment word (flags and offset in 8-byte units).
    static func fragmented(_ frame: [UInt8], moreFragments: Bool = true, offsetUnits: UInt16 = 0) -> [UInt8] {
        editIP(frame) { $0.setU16(6, (moreFragments ? 0x2000 : 0) | offsetUnits) }
    }

    static func withSourceMAC(_ frame: [UInt8], _ mac: MACAddress) -> [UInt8] {
        var copy = frame
        MutablePacketBytes.with(&copy) { mac.write(to: $0, at: 6) }
        return copy
    }
}
