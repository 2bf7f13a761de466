// The daemon's own answers on shared addresses: ARP replies built in the reply buffer and
// ICMP echo replies built in place in the daemon's receive buffer, sent by either backend.

import ExoCore
import ExoWire

extension NicPort {
    /// Answers an ARP request for a shared address (the demultiplexer chose `.daemonARP`)
    /// with `daemonMAC`; ignores ARP replies. `frame` is borrowed for the call. Returns
    /// whether a reply was sent.
    func answerARP(_ frame: UnsafeRawBufferPointer, daemonMAC: MACAddress) -> Bool {
        let bytes = PacketBytes(unsafeBuffer: frame)
        guard frame.count >= 14 + ARPPacket.length,
            let arp = try? ARPPacket(checking: bytes.dropFirst(14)), arp.operation == .request
        else { return false }
        let out = MutablePacketBytes(unsafeBuffer: UnsafeMutableRawBufferPointer(rebasing: replyBuffer[..<60]))
        for offset in 0..<60 { out.setU8(offset, 0) }
        arp.senderHardware.write(to: out, at: 0)
        daemonMAC.write(to: out, at: 6)
        out.setU16(12, EtherType.arp.rawValue)
        ARPRepr(
            operation: .reply, senderHardware: daemonMAC, senderProtocol: arp.targetProtocol,
            targetHardware: arp.senderHardware, targetProtocol: arp.senderProtocol
        ).emit(into: out.dropFirst(14))
        return sendOne(UnsafeRawBufferPointer(rebasing: replyBuffer[..<60]))
    }

    /// Answers an ICMP echo request to a shared address (the demultiplexer chose `.daemonEcho`,
    /// so the frame already passed the strict parse: Ethernet II, IPv4 without options,
    /// consistent lengths). The reply is built in place in `rxBuffer`, which the daemon alone
    /// writes (a frame still in the packet ring is copied there first). Returns whether a
    /// reply was sent.
    func answerEcho(_ source: UnsafeRawBufferPointer, daemonMAC: MACAddress) -> Bool {
        let length = source.count
        guard length <= rxBuffer.count, let from = source.baseAddress else { return false }
        if from != UnsafeRawPointer(rxBuffer.baseAddress!) {
            rxBuffer.baseAddress!.copyMemory(from: from, byteCount: length)
        }
        let frame = MutablePacketBytes(unsafeBuffer: UnsafeMutableRawBufferPointer(rebasing: rxBuffer[..<length]))
        guard length >= 14 + 20 + ICMPv4Message.headerLength,
            let ip = try? MutableIPv4Packet(checking: frame.dropFirst(14))
        else { return false }
        let packet = ip.view
        let icmp = ip.payload
        guard icmp.count >= ICMPv4Message.headerLength,
            icmp.readOnly.u8(ICMPv4Message.Field.type) == ICMPv4Type.echoRequest.rawValue
        else { return false }
        // Ethernet: back to the sender, from the shared address's MAC (the daemon's).
        for offset in 0..<6 { frame.setU8(offset, frame.readOnly.u8(6 + offset)) }
        daemonMAC.write(to: frame, at: 6)
        // IPv4: swap the addresses, a fresh TTL, a new header checksum.
        let sourceAddress = packet.source
        ip.setSource(packet.destination)
        ip.setDestination(sourceAddress)
        ip.setTimeToLive(64)
        ip.fillChecksum()
        // ICMP: echo reply with the same identifier, sequence and data.
        icmp.setU8(ICMPv4Message.Field.type, ICMPv4Type.echoReply.rawValue)
        icmp.setU8(ICMPv4Message.Field.code, 0)
        icmp.setU16(ICMPv4Message.Field.checksum.lowerBound, 0)
        icmp.setU16(ICMPv4Message.Field.checksum.lowerBound, InternetChecksum.of(icmp.readOnly))
        let total = 14 + packet.totalLength
        return sendOne(UnsafeRawBufferPointer(rebasing: rxBuffer[..<total]))
    }
}
